import { crc32 } from 'node:zlib';

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const TOKEN_SECRET_LENGTH = 32;
export const TOKEN_CHECKSUM_LENGTH = 6;

/**
 * CRC32 as 6 base62 characters (62^6 > 2^32), left-padded with zeros: what lets the server, the
 * scrubber and secret scanners tell a real token from random text offline (SPEC §2).
 */
export function tokenChecksum(body: string): string {
  let value = crc32(body);
  let encoded = '';
  for (let i = 0; i < TOKEN_CHECKSUM_LENGTH; i++) {
    encoded = BASE62[value % 62] + encoded;
    value = Math.floor(value / 62);
  }
  return encoded;
}
