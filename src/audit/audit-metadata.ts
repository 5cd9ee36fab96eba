import { isPlainObject, scrubSecrets } from '../common/secrets';

// Keys that name a credential. `tokenId`, `tokenName`... are fine; `token`, `rawToken`,
// `csrfToken`... are not (hence "ends with token").
const SECRET_KEY =
  /passw(or)?d|passphrase|secret|authori[sz]ation|cookie|credential|(api|private)_?key$|token$/i;
const MAX_DEPTH = 6;

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) {
    return value.map((item) => clean(item, depth + 1)).filter((item) => item !== undefined);
  }
  if (isPlainObject(value)) return cleanObject(value, depth + 1);
  // Functions, symbols, undefined and class instances (an entity could carry a password hash).
  return undefined;
}

function cleanObject(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) continue;
    const cleaned = clean(item, depth);
    if (cleaned !== undefined) result[key] = cleaned;
  }
  return result;
}

/**
 * Audit metadata is kept forever and shown to superusers, so it never holds a secret: keys that
 * name one are dropped at any depth and token-shaped strings are redacted wherever they appear.
 */
export function sanitizeMetadata(metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return cleanObject(metadata, 0);
}
