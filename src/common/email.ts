/**
 * One plain address, as Keyhold stores and mails it: no quoted local parts, display names or
 * lists (class-validator's IsEmail alone accepts `"a,b"@example.com`).
 */
export const PLAIN_EMAIL = /^[^\s@,;:<>()"\\[\]]+@[^\s@,;:<>()"\\[\]]+\.[^\s@,;:<>()"\\[\]]+$/;

export const isPlainEmail = (value: string): boolean =>
  value.length <= 254 && PLAIN_EMAIL.test(value);
