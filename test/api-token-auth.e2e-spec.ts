import { Permission } from '../src/permissions/permission';
import { addMember, PASSWORD } from './support/fixtures';
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
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_credentials');
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.body.title).toBe(unknown.body.title);
  });

  it('answers 403 permission_denied without api_tokens.manage, and audits the denial', async () => {
    const response = await t
      .client()
      .post('/api/v1/api-token-auth/', { username: 'noperm@example.test', password: PASSWORD });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('permission_denied');
    const { rows } = await t.db.sql.query(
      `select metadata from audit_event where action = 'api_token_auth.denied' and metadata->>'reason' = 'permission_denied'`,
    );
    expect(rows).toHaveLength(1);
  });

  it('answers an SSO account with 403 sso_user pointing to the profile API', async () => {
    const response = await t
      .client()
      .post('/api/v1/api-token-auth/', { username: 'sso@example.test', password: 'whatever-1' });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('sso_user');
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
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('token_limit_reached');
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
