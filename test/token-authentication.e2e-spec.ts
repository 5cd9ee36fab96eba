import { QueryCounter } from '../src/database/query-counter';
import { LISTENER_NAME, TokenAccessChanges } from '../src/tokens/token-access-changes.service';
import { Permission } from '../src/common/access/permission';
import { bearer, expectProblem, NewToken, useTestContext } from './support/context';
import { addMember, createToken, eventually, signIn } from './support/fixtures';
import type { HttpClient } from './support/http-client';
import { startTestApp } from './support/test-app';

const CHALLENGE = /^Bearer realm="keyhold", error="invalid_token", error_description="[^"]+"$/;

describe('authenticating requests with tokens (SPEC §3)', () => {
  const t = useTestContext({ LAST_USED_FLUSH_MS: '50' });
  let owner: HttpClient;
  let token: NewToken;
  let ownerId: string;

  beforeAll(async () => {
    ({ id: ownerId, client: owner } = await t.newMember({ email: 'dev@example.test' }));
    token = await t.newToken(owner, { name: 'CI' });
  });

  const me = (headers: Record<string, string>) => t.client().get('/api/v1/me', headers);

  it.each([
    ['Bearer', (raw: string) => bearer(raw)],
    ['bearer (any case)', (raw: string) => ({ authorization: `bearer ${raw}` })],
    ['Token', (raw: string) => ({ authorization: `Token ${raw}` })],
  ])('accepts Authorization: %s', async (_, headers) => {
    const response = await me(headers(token.secret));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      user: { id: ownerId, email: 'dev@example.test' },
      auth: { kind: 'token', tokenId: token.id, tokenName: 'CI' },
      permissions: [Permission.ManageApiTokens],
    });
  });

  it('accepts X-Client-Id + X-Api-Token only when both name the same token', async () => {
    expect((await me({ 'x-client-id': token.id, 'x-api-token': token.secret })).status).toBe(200);
    const other = await t.newToken(owner, { name: 'other' });
    const mismatch = await me({ 'x-client-id': other.id, 'x-api-token': token.secret });
    expect(mismatch.status).toBe(401);
    expect((await me({ 'x-api-token': token.secret })).status).toBe(401);
    expect((await me({ 'x-client-id': token.id })).status).toBe(401);
  });

  it('answers a missing credential with a bare challenge', async () => {
    const response = await me({});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="keyhold"');
    expect(response.body.code).toBe('authentication_required');
  });

  it.each([
    ['a wrong scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['a bare scheme', { authorization: 'Bearer' }],
    ['two spaces', { authorization: 'Bearer  khp_x' }],
    ['trailing words', { authorization: 'Bearer abc def' }],
    ['an empty Token', { authorization: 'Token ' }],
    ['garbage', { authorization: 'Bearer not-a-token' }],
  ])('refuses %s with 401 invalid_token', async (_, headers) => {
    const response = await me(headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toMatch(CHALLENGE);
    expect(response.body.code).toBe('invalid_token');
  });

  it('answers concurrent first uses of one token with one lookup (two statements)', async () => {
    const fresh = await t.newToken(owner, { name: 'burst' });
    const counter = t.app.get(QueryCounter);
    // The organization summary /me shows is cached by any earlier call.
    expect((await me(bearer(token.secret))).status).toBe(200);
    const before = counter.requestCount;
    const responses = await Promise.all(Array.from({ length: 20 }, () => me(bearer(fresh.secret))));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    // The token row and its owner, read once for all twenty (and never again while cached).
    expect(counter.requestCount - before).toBeLessThanOrEqual(2);
    const after = counter.requestCount;
    await me(bearer(fresh.secret));
    expect(counter.requestCount).toBe(after);
  });

  it('refuses a bad checksum or unknown token without touching the database for the former', async () => {
    const counter = t.app.get(QueryCounter);
    const last = token.secret.slice(-1) === 'a' ? 'b' : 'a';
    const badChecksum = token.secret.slice(0, -1) + last;
    const before = counter.requestCount;
    const response = await me(bearer(badChecksum));
    expect(counter.requestCount).toBe(before);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('checksum');

    const { generateToken } = await import('../src/tokens/token-format');
    const unknown = await me(bearer(generateToken('khp_')));
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('unknown');
  });

  it('ignores tokens in the query string and the body', async () => {
    expect((await t.client().get(`/api/v1/me?access_token=${token.secret}`)).status).toBe(401);
    // A session-only endpoint would answer 403 token_not_allowed had the body token been read.
    const body = await t.client().post('/api/v1/auth/logout', { access_token: token.secret });
    expectProblem(body, 401, 'authentication_required');
  });

  it('refuses an expired token', async () => {
    const expiring = await t.newToken(owner, { name: 'expiring', expiresInDays: 7 });
    await t.db.sql.query(
      `update api_token set expires_at = now() - interval '1 second' where id = $1`,
      [expiring.id],
    );
    const response = await me(bearer(expiring.secret));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('expired');
  });

  it('checks X-Organization-Id and its alias X-Workspace-Id', async () => {
    const { rows } = await t.db.sql.query('select organization_id from api_token where id = $1', [
      token.id,
    ]);
    const orgId = rows[0].organization_id as string;
    const auth = bearer(token.secret);
    expect((await me({ ...auth, 'x-organization-id': orgId })).status).toBe(200);
    expect((await me({ ...auth, 'x-workspace-id': orgId })).status).toBe(200);
    const other = '00000000-0000-4000-8000-000000000000';
    for (const name of ['x-organization-id', 'x-workspace-id']) {
      const response = await me({ ...auth, [name]: other });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('another organization');
    }
  });

  it('blocks, without deleting, the tokens of an owner who loses api_tokens.manage', async () => {
    const blocked = await t.newToken(owner, { name: 'blocked-later' });
    const auth = bearer(blocked.secret);
    // Used once first, so that the verification cache holds it when the permission goes.
    expect((await me(auth)).status).toBe(200);
    const setPermission = (value: boolean) =>
      t.admin.request('PATCH', t.orgPath(`/members/${ownerId}`), {
        body: { permissions: { 'api_tokens.manage': value } },
      });
    expect((await setPermission(false)).status).toBe(200);
    const response = await me(auth);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('blocked');
    const { rows } = await t.db.sql.query(
      'select count(*)::int as n from api_token where id = $1',
      [blocked.id],
    );
    expect(rows[0].n).toBe(1);
    expect((await setPermission(true)).status).toBe(200);
    expect((await me(auth)).status).toBe(200);
  });

  it('refuses the tokens of a deactivated owner', async () => {
    const { client, ...member } = await t.newMember({ email: 'leaver@example.test' });
    const created = await t.newToken(client, { name: 'leaver' });
    await t.db.sql.query('update membership set is_active = false where user_id = $1', [member.id]);
    expect((await me(bearer(created.secret))).status).toBe(401);
  });

  it.each([
    ['GET', '/api/v1/profile/tokens'],
    ['POST', '/api/v1/profile/tokens'],
    ['DELETE', '/api/v1/profile/tokens/00000000-0000-4000-8000-000000000000'],
    ['POST', '/api/v1/auth/logout'],
    ['POST', '/api/v1/auth/reauthenticate'],
    ['POST', '/api/v1/auth/login'],
    ['POST', '/api/v1/api-token-auth/'],
  ])('answers a valid token on %s %s with 403 token_not_allowed', async (method, path) => {
    const body =
      method === 'POST'
        ? path.includes('login')
          ? { email: 'dev@example.test', password: 'member-password-123' }
          : path.includes('api-token-auth')
            ? { username: 'dev@example.test', password: 'member-password-123' }
            : path.includes('reauthenticate')
              ? { password: 'member-password-123' }
              : { name: 'minted-by-token' }
        : undefined;
    const before = (await t.db.sql.query('select count(*)::int as n from api_token')).rows[0].n;
    const response = await t.client().request(method, path, {
      body,
      headers: bearer(token.secret),
    });
    expectProblem(response, 403, 'token_not_allowed');
    expect((await t.db.sql.query('select count(*)::int as n from api_token')).rows[0].n).toBe(
      before,
    );
  });

  it('records last used: time, method, path without query, IP and user agent', async () => {
    const used = await t.newToken(owner, { name: 'last-used' });
    const startedAt = Date.now();
    await t.client().request('GET', '/api/v1/me?secret=1&x=2', {
      headers: { authorization: `Token ${used.secret}`, 'user-agent': 'deploy-bot/1.0' },
    });
    const row = await eventually(async () => {
      const { rows } = await t.db.sql.query(
        'select * from api_token where id = $1 and last_used_at is not null',
        [used.id],
      );
      return rows[0];
    });
    expect(row.last_used_method).toBe('GET');
    expect(row.last_used_path).toBe('/api/v1/me');
    expect(row.last_used_ip).toBe('127.0.0.1');
    expect(row.last_used_user_agent).toBe('deploy-bot/1.0');
    expect(new Date(row.last_used_at).getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
    const list = await owner.get<{
      items: { id: string; lastUsedPath: string; lastUsedMethod: string; lastUsedIp: string }[];
    }>('/api/v1/profile/tokens');
    expect(list.body.items.find((item) => item.id === used.id)).toMatchObject({
      lastUsedMethod: 'GET',
      lastUsedPath: '/api/v1/me',
      lastUsedIp: '127.0.0.1',
    });
  });

  it('ignores X-Forwarded-For when TRUST_PROXY is off', async () => {
    const used = await t.newToken(owner, { name: 'no-proxy' });
    await me({ authorization: `Bearer ${used.secret}`, 'x-forwarded-for': '203.0.113.9' });
    const row = await eventually(async () => {
      const { rows } = await t.db.sql.query(
        'select last_used_ip from api_token where id = $1 and last_used_at is not null',
        [used.id],
      );
      return rows[0];
    });
    expect(row.last_used_ip).toBe('127.0.0.1');
  });
});

describe('last used behind a trusted proxy, and the flush on shutdown', () => {
  it('honours X-Forwarded-For with TRUST_PROXY=1', async () => {
    const t = await startTestApp({ TRUST_PROXY: '1', LAST_USED_FLUSH_MS: '50' });
    try {
      await addMember(t, { email: 'dev@example.test' });
      const owner = await signIn(t, 'dev@example.test');
      const used = await createToken(owner, 'proxied');
      await t.client().get('/api/v1/me', {
        authorization: `Bearer ${used.token}`,
        'x-forwarded-for': '203.0.113.9',
      });
      const row = await eventually(async () => {
        const { rows } = await t.db.sql.query(
          'select last_used_ip from api_token where id = $1 and last_used_at is not null',
          [used.id],
        );
        return rows[0];
      });
      expect(row.last_used_ip).toBe('203.0.113.9');
    } finally {
      await t.close();
    }
  });

  it('writes buffered uses when the server shuts down', async () => {
    const { createTestDatabase } = await import('./support/database');
    const db = await createTestDatabase();
    const t = await startTestApp({ LAST_USED_FLUSH_MS: '60000' }, db);
    try {
      await addMember(t, { email: 'dev@example.test' });
      const owner = await signIn(t, 'dev@example.test');
      const used = await createToken(owner, 'flush-me');
      expect(
        (await t.client().get('/api/v1/me', { authorization: `Bearer ${used.token}` })).status,
      ).toBe(200);
      const before = await db.sql.query('select last_used_at from api_token where id = $1', [
        used.id,
      ]);
      expect(before.rows[0].last_used_at).toBeNull();
      await t.close();
      const after = await db.sql.query('select last_used_path from api_token where id = $1', [
        used.id,
      ]);
      expect(after.rows[0].last_used_path).toBe('/api/v1/me');
    } finally {
      await db.drop();
    }
  });
});

describe('the verification cache when the invalidation listener drops', () => {
  it('empties, stops caching, and so a change made behind its back is seen at once', async () => {
    const t = await startTestApp({ LAST_USED_FLUSH_MS: '60000' });
    try {
      await addMember(t, { email: 'dev@example.test' });
      const owner = await signIn(t, 'dev@example.test');
      const used = await createToken(owner, 'cached');
      const auth = { authorization: `Bearer ${used.token}` };
      const access = t.app.get(TokenAccessChanges);
      const counter = t.app.get(QueryCounter);
      expect((await t.client().get('/api/v1/me', auth)).status).toBe(200);
      // Steady state: verification is served from the cache, no SQL at all.
      const before = counter.requestCount;
      for (let i = 0; i < 20; i++)
        expect((await t.client().get('/api/v1/me', auth)).status).toBe(200);
      expect(counter.requestCount).toBe(before);

      await t.db.sql.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [LISTENER_NAME],
      );
      await eventually(() => !access.listening);
      // Nothing is cached while nobody listens: every request reads the database.
      expect((await t.client().get('/api/v1/me', auth)).status).toBe(200);
      const unheard = counter.requestCount;
      expect((await t.client().get('/api/v1/me', auth)).status).toBe(200);
      expect(counter.requestCount).toBeGreaterThan(unheard);
      // A revocation no instance was told about (as if its NOTIFY were lost).
      await t.db.sql.query('update api_token set revoked_at = now(), digest = null where id = $1', [
        used.id,
      ]);
      expect((await t.client().get('/api/v1/me', auth)).status).toBe(401);
      await eventually(() => access.listening, 10_000);
    } finally {
      await t.close();
    }
  });
});
