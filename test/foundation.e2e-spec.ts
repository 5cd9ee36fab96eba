import { expectProblem } from './support/context';
import { ADMIN_EMAIL, startTestApp, TestApp } from './support/test-app';

describe('foundation: health, docs, errors (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness and readiness (readiness pings the database)', async () => {
    const client = t.client();
    expect((await client.get('/health/live')).body).toEqual({ status: 'ok' });
    expect((await client.get('/health/ready')).body).toEqual({
      status: 'ok',
      database: 'ok',
      cacheListener: 'ok',
      redis: 'not_configured',
    });
  });

  it('serves the OpenAPI document with security schemes and the error catalogue', async () => {
    const response = await t.client().get<{
      openapi: string;
      paths: Record<string, unknown>;
      components: {
        securitySchemes: Record<string, unknown>;
        schemas: Record<string, { properties?: { code?: { enum: string[] } } }>;
      };
    }>('/api/docs-json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/me', '/health/live']),
    );
    expect(Object.keys(response.body.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearer', 'token', 'clientId', 'apiToken', 'session']),
    );
    expect(response.body.components.schemas.Problem.properties?.code?.enum).toEqual(
      expect.arrayContaining(['validation_failed', 'csrf_failed', 'invalid_credentials']),
    );
    const page = await t.client().get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger');
  });

  it('documents per operation which credentials work, and the api-token-auth sso_user answer', async () => {
    type Operation = { security?: Record<string, string[]>[]; description?: string };
    const { body } = await t
      .client()
      .get<{ paths: Record<string, Record<string, Operation>> }>('/api/docs-json');
    const schemes = (path: string, method: string) =>
      (body.paths[path][method].security ?? [])
        .flatMap((requirement) => Object.keys(requirement))
        .sort();
    expect(schemes('/api/v1/me', 'get')).toEqual([
      'apiToken',
      'bearer',
      'clientId',
      'session',
      'token',
    ]);
    expect(schemes('/api/v1/profile/tokens', 'post')).toEqual(['session']);
    expect(schemes('/health/live', 'get')).toEqual([]);
    expect(body.paths['/api/v1/api-token-auth']?.post?.description).toContain('sso_user');
    for (const path of [
      '/api/v1/organizations/{orgId}/members',
      '/api/v1/organizations/{orgId}/tokens',
      '/api/v1/organizations/{orgId}/audit-events',
      '/api/v1/auth/sso/{orgSlug}/start',
      '/api/v1/auth/reauthenticate',
    ]) {
      expect(Object.keys(body.paths)).toContain(path);
    }
  });

  it('bootstraps the first organization with a superuser who holds api_tokens.manage', async () => {
    const admin = await t.admin();
    const me = await admin.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { email: ADMIN_EMAIL, authMethod: 'password' },
      organization: { slug: 'example-org', name: 'Example Org' },
      isSuperuser: true,
      permissions: ['api_tokens.manage'],
      auth: { kind: 'session' },
    });
    const { rows } = await t.db.sql.query('select count(*)::int as n from organization');
    expect(rows[0].n).toBe(1);
    const events = await t.db.sql.query(
      `select action from audit_event where metadata->>'via' = 'bootstrap' order by action`,
    );
    expect(events.rows.map((row) => row.action)).toEqual([
      'member.added',
      'member.superuser_granted',
      'permission.granted',
    ]);
  });

  describe('RFC 9457 errors', () => {
    it('404 for an unknown route', async () => {
      expectProblem(await t.client().get('/api/v1/nothing-here'), 404, 'not_found');
    });

    it('400 malformed_json for broken JSON, and nothing changes', async () => {
      const response = await t.client().request('POST', '/api/v1/auth/login', {
        rawBody: '{"email": ',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(response, 400, 'malformed_json');
    });

    it('400 with field errors for unknown fields', async () => {
      const response = await t.client().post('/api/v1/auth/login', {
        email: ADMIN_EMAIL,
        password: 'x',
        isAdmin: true,
      });
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([
        { field: 'isAdmin', message: 'isAdmin is not a known field' },
      ]);
    });

    it('400 for NUL bytes and other control characters in text fields', async () => {
      for (const password of ['a\u0000b', 'tab\there', 'bell\u0007']) {
        const response = await t
          .client()
          .post('/api/v1/auth/login', { email: ADMIN_EMAIL, password });
        expectProblem(response, 400, 'validation_failed');
        expect(response.body.errors).toEqual([
          { field: 'password', message: 'password must not contain control characters' },
        ]);
      }
    });

    it('413 for bodies over 64 KiB', async () => {
      const response = await t.client().post('/api/v1/auth/login', {
        email: ADMIN_EMAIL,
        password: 'x'.repeat(70 * 1024),
      });
      expectProblem(response, 413, 'payload_too_large');
    });

    it('415 for a non-JSON body and 400 for a JSON body that is not an object', async () => {
      const text = await t.client().request('POST', '/api/v1/auth/login', {
        rawBody: 'email=a',
        headers: { 'content-type': 'text/plain' },
      });
      expectProblem(text, 415, 'unsupported_media_type');
      expectProblem(await t.client().post('/api/v1/auth/login', [1, 2]), 400, 'validation_failed');
    });

    it('echoes a plain X-Request-Id and replaces an unsafe one', async () => {
      const kept = await t.client().get('/api/v1/nothing', { 'x-request-id': 'trace-123' });
      expect(kept.headers.get('x-request-id')).toBe('trace-123');
      expect(kept.body.requestId).toBe('trace-123');
      const replaced = await t
        .client()
        .get('/api/v1/nothing', { 'x-request-id': 'bad id <script>' });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  it('writes structured JSON logs with request ids and redacts credentials', async () => {
    const client = t.client();
    await client.get('/api/v1/me', {
      authorization: 'Bearer khp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      cookie: 'keyhold_session=super-secret-cookie',
      'x-request-id': 'log-check-1',
    });
    const lines = t.logs.filter((line) => line.includes('log-check-1'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = t.logs.join('\n');
    expect(all).not.toContain('super-secret-cookie');
    expect(all).not.toContain('khp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
  });
});
