import { bearer, expectProblem, useTestContext } from './support/context';
import { addMember, signIn } from './support/fixtures';
import type { HttpClient } from './support/http-client';
import { startTestApp } from './support/test-app';

interface Created {
  id: string;
  name: string;
  token: string;
  preview: string;
  createdAt: string;
  expiresAt: string | null;
}

describe('profile tokens API (SPEC §2, §5)', () => {
  const t = useTestContext({
    TOKEN_CREATE_LIMIT_PER_MINUTE: '1000',
    TOKEN_CREATE_LIMIT_PER_HOUR: '1000',
  });
  let dev: HttpClient;
  let devId: string;
  beforeAll(async () => {
    ({ id: devId, client: dev } = await t.newMember({ email: 'dev@example.test' }));
  });

  const revokeAll = () =>
    t.db.sql.query(
      `update api_token set revoked_at = now(), digest = null where user_id = $1 and revoked_at is null`,
      [devId],
    );

  it('creates a token: 201, the raw value once, no-store, and only a digest in the database', async () => {
    const response = await dev.post<Created>('/api/v1/profile/tokens', {
      name: '  CI deploys  ',
      expiresInDays: 90,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = response.body;
    expect(body.token).toMatch(/^khp_[0-9A-Za-z]{38}$/);
    expect(body.name).toBe('CI deploys');
    expect(body.preview).toBe(`${body.token.slice(0, 12)}…${body.token.slice(-4)}`);
    const days =
      (new Date(body.expiresAt as string).getTime() - new Date(body.createdAt).getTime()) /
      86_400_000;
    expect(days).toBeCloseTo(90, 3);
    const { rows } = await t.db.sql.query('select * from api_token where id = $1', [body.id]);
    expect(rows[0].digest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(body.token);
    expect(rows[0].channel).toBe('profile');
  });

  it('lists active tokens without secrets, with the SPEC shape', async () => {
    const created = await t.newToken(dev, { name: 'listed', expiresInDays: null });
    const response = await dev.get<{ items: Record<string, unknown>[]; nextCursor: string | null }>(
      '/api/v1/profile/tokens',
    );
    expect(response.status).toBe(200);
    const item = response.body.items.find((i) => i.id === created.id);
    expect(item).toEqual({
      id: created.id,
      name: 'listed',
      preview: created.preview,
      createdAt: expect.any(String),
      createdIp: '127.0.0.1',
      createdUserAgent: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
      lastUsedMethod: null,
      lastUsedPath: null,
      lastUsedIp: null,
      blocked: false,
      access: 'read_write',
      recentIps: [],
      revokedAt: null,
      revokedBy: null,
      expiredAt: null,
      rotatedFromId: null,
      rotatedToId: null,
    });
    expect(response.text).not.toContain(created.secret);
  });

  it('pages the list with limit and cursor, newest first', async () => {
    await revokeAll();
    for (let i = 0; i < 5; i++) await t.newToken(dev, { name: `page-${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await dev.get<{ items: { name: string }[]; nextCursor: string | null }>(
        `/api/v1/profile/tokens${query}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    expect((await dev.get('/api/v1/profile/tokens?cursor=garbage')).status).toBe(400);
    expect((await dev.get('/api/v1/profile/tokens?limit=0')).status).toBe(400);
    expect((await dev.get('/api/v1/profile/tokens?limit=101')).status).toBe(400);
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'bad\u0000name' }, 'name'],
    [{ name: 'line\nbreak' }, 'name'],
    [{ name: 'ok', expiresInDays: 14 }, 'expiresInDays'],
    [{ name: 'ok', expiresInDays: '30' }, 'expiresInDays'],
    [{ name: 'ok', scopes: ['all'] }, 'scopes'],
    [{}, 'name'],
  ])('refuses %j with 400 naming %s, and creates nothing', async (body, field) => {
    const before = (await t.db.sql.query('select count(*)::int as n from api_token')).rows[0].n;
    const response = await dev.post<{ code: string; errors: { field: string }[] }>(
      '/api/v1/profile/tokens',
      body,
    );
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors.map((e) => e.field)).toContain(field);
    expect((await t.db.sql.query('select count(*)::int as n from api_token')).rows[0].n).toBe(
      before,
    );
  });

  it('keeps names unique among active tokens, case-insensitively; a revoked name is free again', async () => {
    await revokeAll();
    const first = await t.newToken(dev, { name: 'Deploy' });
    const clash = await dev.post('/api/v1/profile/tokens', { name: 'deploy ' });
    expectProblem(clash, 409, 'token_name_taken');
    expect((await dev.request('DELETE', `/api/v1/profile/tokens/${first.id}`)).status).toBe(204);
    expect((await dev.post('/api/v1/profile/tokens', { name: 'deploy' })).status).toBe(201);
  });

  it('stops at 10 active tokens with 409 token_limit_reached, telling to revoke one', async () => {
    await revokeAll();
    for (let i = 0; i < 10; i++) await t.newToken(dev, { name: `limit-${i}` });
    const eleventh = await dev.post('/api/v1/profile/tokens', { name: 'eleventh' });
    expectProblem(eleventh, 409, 'token_limit_reached');
    expect(String(eleventh.body.detail)).toMatch(/revoke/i);
  });

  it('holds the limit under 50 concurrent creates: exactly 10 succeed', async () => {
    await revokeAll();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        dev.post('/api/v1/profile/tokens', { name: `race-${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    const { rows } = await t.db.sql.query(
      'select count(*)::int as n from api_token where user_id = $1 and revoked_at is null',
      [devId],
    );
    expect(rows[0].n).toBe(10);
  });

  it('revokes: 204, the next request with it is 401, the row stays without its digest, twice is 404', async () => {
    await revokeAll();
    const created = await t.newToken(dev, { name: 'to-revoke' });
    const auth = bearer(created.secret);
    expect((await t.client().get('/api/v1/me', auth)).status).toBe(200);
    expect((await dev.request('DELETE', `/api/v1/profile/tokens/${created.id}`)).status).toBe(204);
    expect((await t.client().get('/api/v1/me', auth)).status).toBe(401);
    const { rows } = await t.db.sql.query(
      'select digest, revoked_at, revoked_by from api_token where id = $1',
      [created.id],
    );
    expect(rows[0]).toMatchObject({ digest: null, revoked_by: devId });
    expect(rows[0].revoked_at).not.toBeNull();
    const again = await dev.request('DELETE', `/api/v1/profile/tokens/${created.id}`);
    expectProblem(again, 404, 'token_not_found');
    const list = await dev.get<{ items: { id: string }[] }>('/api/v1/profile/tokens');
    expect(list.body.items.map((i) => i.id)).not.toContain(created.id);
  });

  it('concurrent revokes of one token: exactly one 204', async () => {
    const created = await t.newToken(dev, { name: 'double-revoke' });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        dev.request('DELETE', `/api/v1/profile/tokens/${created.id}`),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([204, 404, 404, 404, 404]);
  });

  it("answers 404 for another user's token and for a malformed id", async () => {
    const { client: otherClient } = await t.newMember({ email: 'other@example.test' });
    const theirs = await t.newToken(otherClient, { name: 'theirs' });
    const response = await dev.request('DELETE', `/api/v1/profile/tokens/${theirs.id}`);
    expect(response.status).toBe(404);
    expect((await t.client().get('/api/v1/me', bearer(theirs.secret))).status).toBe(200);
    expect((await dev.request('DELETE', '/api/v1/profile/tokens/not-a-uuid')).status).toBe(404);
  });

  it('requires a recent password for create and revoke, not for listing', async () => {
    const client = await signIn(t, 'dev@example.test');
    const created = await t.newToken(client, { name: 'before-stale' });
    await t.db.sql.query(`update session set password_verified_at = now() - interval '16 minutes'`);
    const create = await client.post('/api/v1/profile/tokens', { name: 'stale' });
    expectProblem(create, 403, 'reauthentication_required');
    const revoke = await client.request('DELETE', `/api/v1/profile/tokens/${created.id}`);
    expect(revoke.body.code).toBe('reauthentication_required');
    expect((await client.get('/api/v1/profile/tokens')).status).toBe(200);
    expect(
      (await client.post('/api/v1/auth/reauthenticate', { password: 'member-password-123' }))
        .status,
    ).toBe(200);
    expect((await client.post('/api/v1/profile/tokens', { name: 'fresh' })).status).toBe(201);
    dev = client;
  });

  it('lets an SSO session manage tokens without re-authentication', async () => {
    const sso = await t.newMember({ email: 'sso@example.test', sso: true });
    // An SSO session as the SSO callback creates it (tested end to end with a real provider elsewhere).
    const { SessionsService } = await import('../src/sessions/sessions.service');
    const { AuthMethod } = await import('../src/common/access/auth-method');
    const { MikroORM, RequestContext } = await import('@mikro-orm/postgresql');
    const issued = await RequestContext.create(t.app.get(MikroORM).em.fork(), () =>
      t.app
        .get(SessionsService)
        .start(sso.id, AuthMethod.Sso, { ip: '127.0.0.1', userAgent: 'test', requestId: 'r' }),
    );
    const client = t.client();
    client.setCookie('keyhold_session', issued.secret);
    client.setCookie('csrf_token', issued.csrfToken);
    client.csrfToken = issued.csrfToken;
    const response = await client.post('/api/v1/profile/tokens', { name: 'sso-made' });
    expect(response.status).toBe(201);
  });

  it('answers 403 permission_denied without api_tokens.manage', async () => {
    const { client } = await t.newMember({ email: 'noperm@example.test', permissions: [] });
    for (const response of [
      await client.get('/api/v1/profile/tokens'),
      await client.post('/api/v1/profile/tokens', { name: 'nope' }),
    ]) {
      expectProblem(response, 403, 'permission_denied');
    }
  });

  it('never writes a raw token to the logs, error bodies or any table', async () => {
    const created = await t.newToken(dev, { name: 'secret-check' });
    await t.client().get('/api/v1/me', bearer(created.secret));
    await t
      .client()
      .get(`/api/v1/me?token=${created.secret}`, { authorization: `Token ${created.secret}x` });
    expect(t.logs.join('\n')).not.toContain(created.secret);
    const { rows: tables } = await t.db.sql.query(
      `select tablename from pg_tables where schemaname = 'public'`,
    );
    for (const { tablename } of tables) {
      const { rows } = await t.db.sql.query(`select * from "${tablename}"`);
      expect(JSON.stringify(rows)).not.toContain(created.secret);
      expect(JSON.stringify(rows)).not.toContain(created.secret.slice(4, 36));
    }
  });
});

describe('token creation rate limits', () => {
  it('answers 429 with Retry-After past the per-minute limit', async () => {
    const t = await startTestApp({ TOKEN_CREATE_LIMIT_PER_MINUTE: '3' });
    try {
      await addMember(t, { email: 'fast@example.test' });
      const client = await signIn(t, 'fast@example.test');
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await client.post('/api/v1/profile/tokens', { name: `fast-${i}` });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last?.body.code).toBe('rate_limited');
    } finally {
      await t.close();
    }
  });
});
