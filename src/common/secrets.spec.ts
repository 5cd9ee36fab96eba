import { generateToken } from '../tokens/token-format';
import { containsSecret, scrubSecrets } from './secrets';

describe('the one scrubber', () => {
  const token = generateToken('khp_');
  const other = generateToken('acme_');

  it('recognises a real token of any prefix, wherever it stands in the text', () => {
    for (const text of [
      token,
      `Bearer ${token}`,
      `x${token}y`,
      `ua/1 (${other})`,
      token.replace('_', '%5F'),
    ]) {
      expect(containsSecret(text)).toBe(true);
    }
  });

  it('does not mistake a token-shaped value with a wrong checksum for a secret', () => {
    // An OAuth code or a base64url id can look like a token; only the checksum tells.
    expect(containsSecret(`${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`)).toBe(false);
    expect(containsSecret('abc_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl')).toBe(false);
    expect(containsSecret('plain text')).toBe(false);
  });

  it('redacts token-shaped text (checksum or not) in strings, keys and nested values', () => {
    const scrubbed = scrubSecrets({ [token]: [`a ${token} b`, { deep: other }], n: 1 });
    expect(JSON.stringify(scrubbed)).not.toMatch(/khp_|acme_/);
    expect(scrubbed).toEqual({ '[redacted]': ['a [redacted] b', { deep: '[redacted]' }], n: 1 });
  });
});
