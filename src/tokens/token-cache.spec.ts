import { AuthMethod } from '../common/access/auth-method';
import { TokenCache, VerifiedToken } from './token-cache';

const token = (tokenId: string, userId: string): VerifiedToken => ({
  tokenId,
  organizationId: 'org',
  expiresAt: null,
  ownerActive: true,
  principal: {
    userId,
    organizationId: 'org',
    email: `${userId}@example.test`,
    name: userId,
    authMethod: AuthMethod.Password,
    isSuperuser: false,
    permissions: ['api_tokens.manage'],
    via: 'token',
    tokenId,
    tokenName: tokenId,
    tokenExpiresAt: null,
    tokenAccess: 'read_write',
  },
});

describe('TokenCache', () => {
  it('answers hits, known misses (null) and unknowns (undefined)', () => {
    const cache = new TokenCache();
    cache.set('d1', token('t1', 'u1'), cache.currentGeneration);
    cache.set('d2', null, cache.currentGeneration);
    expect(cache.get('d1')?.tokenId).toBe('t1');
    expect(cache.get('d2')).toBeNull();
    expect(cache.get('d3')).toBeUndefined();
  });

  it('evicts by token and by user', () => {
    const cache = new TokenCache();
    cache.set('a', token('ta', 'u1'), cache.currentGeneration);
    cache.set('b', token('tb', 'u1'), cache.currentGeneration);
    cache.set('c', token('tc', 'u2'), cache.currentGeneration);
    cache.apply({ kind: 'token', id: 'ta' });
    expect(cache.get('a')).toBeUndefined();
    cache.apply({ kind: 'user', id: 'u1' });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')?.tokenId).toBe('tc');
    cache.apply({ kind: 'all' });
    expect(cache.get('c')).toBeUndefined();
  });

  it('drops a lookup that raced an invalidation', () => {
    const cache = new TokenCache();
    const startedAt = cache.currentGeneration;
    cache.apply({ kind: 'token', id: 't1' });
    cache.set('d1', token('t1', 'u1'), startedAt);
    expect(cache.get('d1')).toBeUndefined();
  });

  it('keeps real tokens when flooded with unknown ones', () => {
    const cache = new TokenCache();
    cache.set('real', token('t', 'u'), cache.currentGeneration);
    for (let i = 0; i < 20_000; i++) cache.set(`fake-${i}`, null, cache.currentGeneration);
    expect(cache.get('real')?.tokenId).toBe('t');
    expect(cache.size).toBe(10_001);
  });

  it('forgets entries after their TTL', () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const cache = new TokenCache();
      cache.set('known', token('t', 'u'), cache.currentGeneration);
      cache.set('unknown', null, cache.currentGeneration);
      jest.setSystemTime(5_000);
      expect(cache.get('unknown')).toBeUndefined();
      expect(cache.get('known')).not.toBeUndefined();
      jest.setSystemTime(35_001);
      expect(cache.get('known')).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
