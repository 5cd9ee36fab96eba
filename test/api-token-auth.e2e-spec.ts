import { Permission } from '../src/common/access/permission';
import { expectProblem } from './support/context';
import { addMember, PASSWORD, signIn } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

interface Obtained {
  token: string;
  id: string;
  name: string;
  preview: string;
  expiresAt: string | null;
}

describe('POST /api/v1/api-token-auth/ (SPEC §5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_LIMIT_PER_MINUTE: '100' });
    await addMember(t, { email: 'script@example.test' });
    await addMember(t, { email: 'noperm@example.test', permissions: [] });
    await addMember(t, { email: 'sso@example.test', sso: true });
  });
  afterAll(() => t.close());

  it.each(['/api/v1/api-token-auth/', '/api/v1/api-token-auth'])(
    'returns 200 {token, id, name, preview, expiresAt} at %s, and the token works',
    async (path) => {
      const response = await t.client().post<Obtained>(path, {
        username: 'script@example.test',
        password: PASSWORD,
        name: `cli ${path}`,
        expiresInDays: 7,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(
        ['expiresAt', 'id', 'name', 'preview', 'token'].sort(),
      );
      const me = await t
        .client()
        .get('/api/v1/me', { authorization: `Token ${response.body.token}` });
      expect(me.status).toBe(200);
      expect(me.body.auth).toMatchObject({ kind: 'token', tokenId: response.body.id });
      const { rows } = await t.db.sql.query('select channel from api_token where id = $1', [
        response.body.id,
      ]);
      expect(rows[0].channel).toBe('api_token_auth');
    },
  );

  it('names the token when no name is given', async () => {
    const response = await t.client().post<Obtained>('/api/v1/api-token-auth/', {
      username: 'script@example.test',
      password: PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe('api-token-auth');
  });

  it('answers an unknown user and a wrong password with the same 400 invalid_credentials', async () => {
    const wrong = await t
      .client()
      .post('/api/v1/api-token-auth/', { username: 'script@example.test', password: 'nope-nope' });
    const unknown = await t
      .client()
      .post('/api/v1/api-token-auth/', { username: 'ghost@example.test', password: 'nope-nope' });
    for (const response of [wrong, unknown]) {
      expectProblem(response, 400, 'invalid_credentials');
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.body.title).toBe(unknown.body.title);
  });

  it('answers 403 permission_denied without api_tokens.manage, and audits the denial', async () => {
    const response = await t
      .client()
      .post('/api/v1/api-token-auth/', { username: 'noperm@example.test', password: PASSWORD });
    expectProblem(response, 403, 'permission_denied');
    const { rows } = await t.db.sql.query(
      `select metadata from audit_event where action = 'api_token_auth.denied' and metadata->>'reason' = 'permission_denied'`,
    );
    expect(rows).toHaveLength(1);
  });

  it('answers an SSO account with 403 sso_user pointing to the profile API', async () => {
    const response = await t
      .client()
      .post('/api/v1/api-token-auth/', { username: 'sso@example.test', password: 'whatever-1' });
    expectProblem(response, 403, 'sso_user');
    expect(String(response.body.detail)).toContain('/api/v1/profile/tokens');
  });

  it('counts toward the token limit (a new name), while the same name rotates', async () => {
    const limited = await startTestApp({ TOKEN_MAX_PER_USER: '1' });
    try {
      await addMember(limited, {
        email: 'one@example.test',
        permissions: [Permission.ManageApiTokens],
      });
      const body = { username: 'one@example.test', password: PASSWORD };
      expect((await limited.client().post('/api/v1/api-token-auth/', body)).status).toBe(200);
      expect((await limited.client().post('/api/v1/api-token-auth/', body)).status).toBe(200);
      const second = await limited
        .client()
        .post('/api/v1/api-token-auth/', { ...body, name: 'another' });
      expectProblem(second, 409, 'token_limit_reached');
    } finally {
      await limited.close();
    }
  });

  it('audits creation with channel api_token_auth and the actor via password', async () => {
    const response = await t.client().post<Obtained>('/api/v1/api-token-auth/', {
      username: 'script@example.test',
      password: PASSWORD,
      name: 'audited',
    });
    const { rows } = await t.db.sql.query(
      `select actor_via, metadata from audit_event where action = 'token.created' and target_token_id = $1`,
      [response.body.id],
    );
    expect(rows).toEqual([
      { actor_via: 'password', metadata: expect.objectContaining({ channel: 'api_token_auth' }) },
    ]);
    expect(JSON.stringify(rows)).not.toContain(response.body.token);
  });
});

describe('api-token-auth throttling', () => {
  it('throttles per username', async () => {
    const t = await startTestApp({ LOGIN_LIMIT_PER_MINUTE: '2' });
    try {
      await addMember(t, { email: 'slow@example.test' });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (
            await t.client().post('/api/v1/api-token-auth/', {
              username: 'slow@example.test',
              password: `bad-${i}`,
            })
          ).status,
        );
      }
      expect(statuses).toEqual([400, 400, 429]);
    } finally {
      await t.close();
    }
  });
});

describe('api-token-auth bodies and repeat calls (SPEC §5, §2a)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      LOGIN_LIMIT_PER_MINUTE: '1000',
      TOKEN_MAX_PER_USER: '3',
      TOKEN_CREATE_LIMIT_PER_MINUTE: '1000',
      TOKEN_CREATE_LIMIT_PER_HOUR: '1000',
    });
    await addMember(t, { email: 'ci@example.test' });
  });
  afterAll(() => t.close());

  const post = (body: string | FormData, contentType?: string) =>
    fetch(`${t.baseUrl}/api/v1/api-token-auth/`, {
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      body,
    });

  it('accepts form-encoded and multipart credentials like Django REST framework', async () => {
    const form = new URLSearchParams({
      username: 'ci@example.test',
      password: PASSWORD,
      name: 'form',
      expiresInDays: '7',
    });
    const encoded = await post(form.toString(), 'application/x-www-form-urlencoded');
    expect(encoded.status).toBe(200);
    const fromForm = (await encoded.json()) as Obtained;
    expect(fromForm.name).toBe('form');
    const days = (new Date(fromForm.expiresAt as string).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeCloseTo(7, 1);

    const multipart = new FormData();
    multipart.append('username', 'ci@example.test');
    multipart.append('password', PASSWORD);
    multipart.append('name', 'multipart');
    const fromMultipart = await post(multipart);
    expect(fromMultipart.status).toBe(200);
    const body = (await fromMultipart.json()) as Obtained;
    expect(body.name).toBe('multipart');
    const me = await t.client().get('/api/v1/me', { authorization: `Token ${body.token}` });
    expect(me.status).toBe(200);
  });

  it('still refuses unknown fields, files, oversized bodies and bad credentials in forms', async () => {
    const unknown = await post(
      new URLSearchParams({
        username: 'ci@example.test',
        password: PASSWORD,
        admin: '1',
      }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { code: string }).code).toBe('validation_failed');
    const repeated = await post(
      'username=ci%40example.test&password=a&password=b',
      'application/x-www-form-urlencoded',
    );
    expect(repeated.status).toBe(400);
    const withFile = new FormData();
    withFile.append('username', 'ci@example.test');
    withFile.append('password', new Blob(['secret']), 'password.txt');
    expect((await post(withFile)).status).toBe(400);
    const huge = await post(
      `username=ci%40example.test&password=${'x'.repeat(70 * 1024)}`,
      'application/x-www-form-urlencoded',
    );
    expect(huge.status).toBe(413);
    const hugeField = new FormData();
    hugeField.append('username', 'ci@example.test');
    hugeField.append('password', 'x'.repeat(10_000));
    expect((await post(hugeField)).status).toBe(413);
    const wrong = await post(
      new URLSearchParams({ username: 'ci@example.test', password: 'wrong-password' }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { code: string }).code).toBe('invalid_credentials');
    for (const response of [unknown, repeated, huge, wrong]) {
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('keeps every other endpoint JSON-only (415 for a form body)', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'ci@example.test', password: PASSWORD }).toString(),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { code: string }).code).toBe('unsupported_media_type');
  });

  it('rotates on repeat calls: 12 calls, never 409, at most one token of that name outside its overlap', async () => {
    const tokens: Obtained[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await t.client().post<Obtained>('/api/v1/api-token-auth/', {
        username: 'ci@example.test',
        password: PASSWORD,
      });
      expect([i, response.status]).toEqual([i, 200]);
      tokens.push(response.body);
    }
    expect(new Set(tokens.map((x) => x.id)).size).toBe(12);
    const { rows } = await t.db.sql.query(
      `select id, rotated_to_id, expires_at from api_token
       where name = 'api-token-auth' and revoked_at is null and expires_at > now()`,
    );
    // Each earlier one is rotated with the default overlap (60 minutes) and points to the next.
    const current = rows.filter((row) => row.rotated_to_id === null);
    expect(current.map((row) => row.id)).toEqual([tokens[11].id]);
    for (const row of rows.filter((r) => r.rotated_to_id !== null)) {
      expect(new Date(row.expires_at).getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
    }
    // The latest and the one before it both work (the old one for its overlap).
    for (const { token } of tokens.slice(-2)) {
      expect((await t.client().get('/api/v1/me', { authorization: `Token ${token}` })).status).toBe(
        200,
      );
    }
    const audit = await t.db.sql.query(
      `select count(*)::int as n from audit_event where action = 'token.rotated' and actor_via = 'password'`,
    );
    expect(audit.rows[0].n).toBe(11);
    // Rotated-out tokens do not count toward the limit of 3: with "form" revoked, "multipart"
    // and the current "api-token-auth" leave room for one more.
    await t.db.sql.query(
      `update api_token set revoked_at = now(), digest = null, revoked_by_kind = 'owner' where name = 'form'`,
    );
    const profile = await signIn(t, 'ci@example.test');
    expect((await profile.post('/api/v1/profile/tokens', { name: 'by hand' })).status).toBe(201);
  });
});
