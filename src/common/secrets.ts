/**
 * Anything shaped like a Keyhold token, whatever its prefix, with or without word boundaries and
 * with the underscore percent-encoded: a pasted token can hide in any header, field or path.
 */
const TOKEN_SHAPE = '[a-z][a-z0-9]{0,9}(?:_|%5[Ff])[A-Za-z0-9]{38}';
const TOKEN_LIKE = new RegExp(TOKEN_SHAPE, 'g');
const HAS_TOKEN = new RegExp(TOKEN_SHAPE);

export const REDACTED = '[redacted]';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

export const containsSecret = (text: string): boolean => HAS_TOKEN.test(text);

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
