/* eslint-disable no-control-regex -- matching control characters is the point */
/**
 * Control characters (C0, DEL, C1), line and paragraph separators and bidi overrides: never
 * legitimate in names, emails, passwords or cursors, and a way to disguise text shown to people.
 */
export const UNSAFE_CHARACTER =
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/* eslint-enable no-control-regex */

export const hasUnsafeCharacter = (value: string): boolean => UNSAFE_CHARACTER.test(value);

/** An ILIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
export const containsPattern = (text: string): string =>
  `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
