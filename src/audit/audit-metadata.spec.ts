import type { Principal } from '../common/access/principal';
import { AuthMethod } from '../common/access/auth-method';
import { sanitizeMetadata } from './audit-metadata';
import { actorOf } from './audit.service';

const TOKEN = `khp_${'a1B2c3D4e5'.repeat(3)}Zz9Yy8Xx`;

describe('sanitizeMetadata', () => {
  it('drops keys that name a secret, at any depth and in arrays', () => {
    const cleaned = sanitizeMetadata({
      reason: 'bad_password',
      password: 'hunter2-hunter2',
      newPassword: 'x',
      token: TOKEN,
      rawToken: TOKEN,
      csrfToken: 'c',
      clientSecret: 's',
      Authorization: 'Bearer abc',
      nested: { deeper: { passwd: 'p', apiKey: 'k', keep: 1 }, list: [{ secret: 's', ok: true }] },
    });
    expect(cleaned).toEqual({
      reason: 'bad_password',
      nested: { deeper: { keep: 1 }, list: [{ ok: true }] },
    });
  });

  it('keeps token ids, names and previews, which are not secrets', () => {
    const metadata = {
      tokenId: 'id',
      tokenName: 'ci',
      preview: 'khp_4fT9abcd…Q2zX',
      channel: 'profile',
    };
    expect(sanitizeMetadata(metadata)).toEqual(metadata);
  });

  it('redacts token-shaped strings wherever they appear', () => {
    const cleaned = sanitizeMetadata({
      name: `pasted ${TOKEN} here`,
      deep: { a: { b: { c: [TOKEN] } } },
    });
    expect(JSON.stringify(cleaned)).not.toContain(TOKEN);
    expect(cleaned.name).toBe('pasted [redacted] here');
  });

  it('keeps only JSON data: dates become ISO strings, class instances and functions go', () => {
    class Entity {
      passwordHash = 'scrypt$...';
    }
    const cleaned = sanitizeMetadata({
      at: new Date('2026-01-02T03:04:05.678Z'),
      entity: new Entity(),
      fn: () => 1,
      missing: undefined,
      count: 3,
      nan: Number.NaN,
      flag: false,
      none: null,
    });
    expect(cleaned).toEqual({
      at: '2026-01-02T03:04:05.678Z',
      count: 3,
      nan: null,
      flag: false,
      none: null,
    });
  });

  it('truncates very deep structures instead of copying them unscrubbed', () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: TOKEN } } } } } } } };
    const text = JSON.stringify(sanitizeMetadata(deep));
    expect(text).toContain('[truncated]');
    expect(text).not.toContain(TOKEN);
  });
});

describe('actorOf', () => {
  const principal: Principal = {
    userId: 'u1',
    organizationId: 'o1',
    email: 'a@example.test',
    name: 'A',
    authMethod: AuthMethod.Password,
    isSuperuser: false,
    permissions: [],
    via: 'session',
    sessionId: 's1',
  };

  it('names the user and the session, without a token', () => {
    expect(actorOf(principal)).toEqual({ userId: 'u1', via: 'session' });
  });

  it('names the token for a token caller', () => {
    expect(actorOf({ ...principal, via: 'token', sessionId: undefined, tokenId: 't1' })).toEqual({
      userId: 'u1',
      via: 'token',
      tokenId: 't1',
    });
  });
});
