import { createHash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62_RUN = new RegExp(`^[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}$`);

/** CRC32 as 6 base62 characters (62^6 > 2^32), left-padded with zeros. */
function checksumOf(text: string): string {
  let value = crc32(text);
  let encoded = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    encoded = BASE62[value % 62] + encoded;
    value = Math.floor(value / 62);
  }
  return encoded;
}

/** `prefix` + 32 CSPRNG base62 characters + 6-character CRC32 checksum of everything before it. */
export function generateToken(prefix: string): string {
  let secret = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < SECRET_LENGTH; i++) secret += BASE62[randomInt(62)];
  const body = prefix + secret;
  return body + checksumOf(body);
}

/** Shape and checksum only: a token failing this never reaches the database. */
export function isWellFormedToken(raw: string, prefix: string): boolean {
  if (raw.length !== prefix.length + SECRET_LENGTH + CHECKSUM_LENGTH || !raw.startsWith(prefix)) {
    return false;
  }
  const rest = raw.slice(prefix.length);
  if (!BASE62_RUN.test(rest)) return false;
  const body = raw.slice(0, raw.length - CHECKSUM_LENGTH);
  return checksumOf(body) === raw.slice(-CHECKSUM_LENGTH);
}

/** The only stored form of a token. */
export const tokenDigest = (raw: string): string => createHash('sha256').update(raw).digest('hex');

/** First 12 characters + … + last 4 (checksum characters: they reveal nothing of the secret). */
export const tokenPreview = (raw: string): string => `${raw.slice(0, 12)}…${raw.slice(-4)}`;
