// Control characters (C0, DEL, C1) and the line and paragraph separators: they start new lines.
const CONTROL_SET = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029';
// Bidi marks, embeddings, overrides and isolates: they visually reorder the text after them.
const BIDI_SET = '\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/**
 * Control characters, line and paragraph separators and bidi controls: never legitimate in
 * names, emails, passwords or cursors, and a way to disguise text shown to people.
 */
const UNSAFE_CHARACTER_SET = CONTROL_SET + BIDI_SET;
export const UNSAFE_CHARACTER = new RegExp(`[${UNSAFE_CHARACTER_SET}]`);
const UNSAFE_CHARACTERS = new RegExp(`[${UNSAFE_CHARACTER_SET}]`, 'g');
const CONTROL_CHARACTERS = new RegExp(`[${CONTROL_SET}]`, 'g');
// Text shown to people also loses the Arabic letter mark (U+061C), a bidi mark input allows.
const BIDI_CHARACTERS = new RegExp(`[\\u061c${BIDI_SET}]`, 'g');
// A UTF-16 surrogate without its partner: not text, and it breaks encodeURI, PostgreSQL and JSON.
const LONE_SURROGATE =
  '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE);
const LONE_SURROGATES = new RegExp(LONE_SURROGATE, 'g');

export const hasLoneSurrogate = (value: string): boolean => HAS_LONE_SURROGATE.test(value);

export const hasUnsafeCharacter = (value: string): boolean =>
  UNSAFE_CHARACTER.test(value) || HAS_LONE_SURROGATE.test(value);

/** Untrusted text flattened for display: controls become spaces, bidi controls go. */
export const flattenText = (value: string): string =>
  value.replace(CONTROL_CHARACTERS, ' ').replace(BIDI_CHARACTERS, '');

/** For values we keep rather than refuse (a user agent): unsafe characters become spaces. */
export const stripUnsafeCharacters = (value: string): string =>
  value.replace(UNSAFE_CHARACTERS, ' ').replace(LONE_SURROGATES, '\ufffd');

/** An ILIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
export const containsPattern = (text: string): string =>
  `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
