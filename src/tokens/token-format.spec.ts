import { generateToken, isWellFormedToken, tokenDigest, tokenPreview } from './token-format';

describe('token format', () => {
  it('is prefix + 32 base62 + 6 checksum characters, and verifies', () => {
    const token = generateToken('khp_');
    expect(token).toMatch(/^khp_[0-9A-Za-z]{38}$/);
    expect(isWellFormedToken(token, 'khp_')).toBe(true);
  });

  it('is random: 1000 tokens, no repeats', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generateToken('khp_')));
    expect(seen.size).toBe(1000);
  });

  it('rejects any single-character change, wrong prefix, length or alphabet', () => {
    const token = generateToken('khp_');
    for (let i = 4; i < token.length; i++) {
      const swapped = token[i] === 'a' ? 'b' : 'a';
      const altered = token.slice(0, i) + swapped + token.slice(i + 1);
      expect(isWellFormedToken(altered, 'khp_')).toBe(false);
    }
    expect(isWellFormedToken(token, 'abc_')).toBe(false);
    expect(isWellFormedToken(token.slice(0, -1), 'khp_')).toBe(false);
    expect(isWellFormedToken(`${token}A`, 'khp_')).toBe(false);
    expect(isWellFormedToken(token.replace(/.$/, '-'), 'khp_')).toBe(false);
    expect(isWellFormedToken('', 'khp_')).toBe(false);
  });

  it('honours a configured prefix', () => {
    const token = generateToken('acme_');
    expect(token.startsWith('acme_')).toBe(true);
    expect(isWellFormedToken(token, 'acme_')).toBe(true);
    expect(isWellFormedToken(token, 'khp_')).toBe(false);
  });

  it('previews the first 12 and last 4 characters and digests with SHA-256', () => {
    const token = 'khp_ABCDEFGHijklmnopqrstuvwxyz0123456789XY';
    expect(tokenPreview(token)).toBe('khp_ABCDEFGH…89XY');
    expect(tokenDigest(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});
