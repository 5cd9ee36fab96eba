import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

// One-shot: a third of createHash(...).update(...).digest(...)'s cost per call (token hot path).
export const sha256Hex = (value: string): string => hash('sha256', value, 'hex');

export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
