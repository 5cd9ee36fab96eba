import { TOKEN_SECRET_LENGTH, tokenChecksum } from './token-checksum';

/**
 * Anything shaped like a Keyhold token, whatever its prefix, with or without word boundaries and
 * with the underscore percent-encoded: a pasted token can hide in any header, field or path.
 */
const TOKEN_SHAPE = '[a-z][a-z0-9]{0,9}(?:_|%5[Ff])[A-Za-z0-9]{38}';
const TOKEN_LIKE = new RegExp(TOKEN_SHAPE, 'g');
const HAS_TOKEN = new RegExp(TOKEN_SHAPE);

export const REDACTED = '[redacted]';

// An underscore and the 38 characters after it: the candidate for a real token's tail.
const TAIL = /(?:_|%5[Ff])([A-Za-z0-9]{38})/g;
const PREFIX_CHARS = /^[a-z][a-z0-9]{0,9}$/;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

/**
 * True when the text holds a real token of any prefix: token-shaped *and* with a valid checksum.
 * Refusing input on shape alone would refuse innocent base64url values (an OAuth code).
 */
export function containsSecret(text: string): boolean {
  if (!HAS_TOKEN.test(text)) return false;
  for (const match of text.matchAll(TAIL)) {
    const tail = match[1];
    const secret = tail.slice(0, TOKEN_SECRET_LENGTH);
    const checksum = tail.slice(TOKEN_SECRET_LENGTH);
    const before = text.slice(Math.max(0, match.index - 10), match.index);
    for (let length = 1; length <= before.length; length++) {
      const prefix = before.slice(before.length - length);
      if (PREFIX_CHARS.test(prefix) && tokenChecksum(`${prefix}_${secret}`) === checksum) {
        return true;
      }
    }
  }
  return false;
}

export const scrubText = (text: string): string =>
  HAS_TOKEN.test(text) ? text.replace(TOKEN_LIKE, REDACTED) : text;

/**
 * The one scrubber: the logger, the problem renderer and everything that stores request metadata
 * (user agents, request ids, audit metadata, mail) pass values through it. Strings, errors and
 * plain data are scrubbed (to a small depth); framework objects pass through untouched.
 */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (depth > 4) return value;
  if (value instanceof Error) {
    const scrubbed = new Error(scrubText(value.message));
    scrubbed.name = value.name;
    scrubbed.stack = value.stack && scrubText(value.stack);
    return scrubbed as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => scrubSecrets(item, depth + 1)) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [scrubText(key), scrubSecrets(item, depth + 1)]),
    ) as T;
  }
  return value;
}
