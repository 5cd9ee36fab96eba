import { randomInt } from 'node:crypto';
import { sha256Hex } from '../common/crypto';
import {
  BASE62,
  TOKEN_CHECKSUM_LENGTH as CHECKSUM_LENGTH,
  tokenChecksum as checksumOf,
  TOKEN_SECRET_LENGTH as SECRET_LENGTH,
} from '../common/token-checksum';

const BASE62_RUN = new RegExp(`^[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}$`);

/** `prefix` + 32 CSPRNG base62 characters + 6-character CRC32 checksum of everything before it. */
export function generateToken(prefix: string): string {
  let secret = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < SECRET_LENGTH; i++) secret += BASE62[randomInt(62)];
  const body = prefix + secret;
  return body + checksumOf(body);
}

/** How long every token with this prefix is. */
export const tokenLength = (prefix: string): number =>
  prefix.length + SECRET_LENGTH + CHECKSUM_LENGTH;

/** Shape and checksum only: a token failing this never reaches the database. */
export function isWellFormedToken(raw: string, prefix: string): boolean {
  if (raw.length !== tokenLength(prefix) || !raw.startsWith(prefix)) {
    return false;
  }
  const rest = raw.slice(prefix.length);
  if (!BASE62_RUN.test(rest)) return false;
  const body = raw.slice(0, raw.length - CHECKSUM_LENGTH);
  return checksumOf(body) === raw.slice(-CHECKSUM_LENGTH);
}

/** The only stored form of a token. */
export const tokenDigest = sha256Hex;

/** First 12 characters + … + last 4 (checksum characters: they reveal nothing of the secret). */
export const tokenPreview = (raw: string): string => `${raw.slice(0, 12)}…${raw.slice(-4)}`;
