import { QueryCounter } from '../src/database/query-counter';
import { bearer as bearerOf, expectProblem, NewToken, useTestContext } from './support/context';
import { addMember, eventually, PASSWORD, signIn } from './support/fixtures';
import { sendRaw } from './support/raw-http';
import { startTestApp } from './support/test-app';

const cursorOf = (at: string) =>
  Buffer.from(JSON.stringify([at, '0d3c2a8e-6b1f-4c5e-9a7d-3f2e1b0c9d8a'])).toString('base64url');

/** Each example of issue 10, as found by the adversarial battery, stays fixed. */
describe('hostile input: the examples of issue 10', () => {
  const t = useTestContext({ TRUST_PROXY: '1', LOGIN_LIMIT_PER_MINUTE: '1000' });
  let bearer: { authorization: string };
  let token: NewToken;

  beforeAll(async () => {
    token = await t.newToken(t.admin, { name: 'regressions' });
    bearer = bearerOf(token.secret);
  });

  it('JSON nested ~1 300 deep (2.6 KB, anonymous) → 400 malformed_json, not a stack overflow', async () => {
    for (const body of ['['.repeat(1300) + ']'.repeat(1300), `{"email":${'['.repeat(5000)}]}`]) {
      const response = await t.client().request('POST', '/api/v1/auth/login', {
        rawBody: body,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(response, 400, 'malformed_json');
    }
  });

  it('an absolute-form request target is served like its path (RFC 9112 §3.2.2)', async () => {
    const port = Number(new URL(t.baseUrl).port);
    const response = await sendRaw(
      port,
      `GET http://x/api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer.authorization}\r\n\r\n`,
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ auth: { kind: 'token' } });
  });

  it('forged cursors with out-of-range dates → 400 on every list, no SQL in the logs', async () => {
    const lists = [
      '/api/v1/profile/tokens',
      t.orgPath('/tokens'),
      t.orgPath('/tokens?sort=-lastUsedAt'),
      t.orgPath('/audit-events'),
    ];
    for (const at of [
      '+010000-01-01T00:00:00.000Z',
      '-000100-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
    ]) {
      for (const list of lists) {
        const separator = list.includes('?') ? '&' : '?';
        expectProblem(
          await t.admin.get(`${list}${separator}cursor=${cursorOf(at)}`),
          400,
          'validation_failed',
        );
      }
      expectProblem(
        await t.admin.get(t.orgPath(`/audit-events?from=${at.slice(0, 10)}`)),
        400,
        'validation_failed',
      );
    }
    expect(t.logs.join('\n')).not.toMatch(/select .* from/i);
  });

  it('a lone surrogate in an email → 400, not a URIError', async () => {
    const response = await t
      .client()
      .post('/api/v1/auth/login', { email: '\ud800@acme.test', password: 'x' });
    expectProblem(response, 400, 'validation_failed');
    const member = await t.admin.post(t.orgPath('/members'), {
      email: 'x\udc00@acme.test',
      name: 'X',
      authMethod: 'sso',
    });
    expectProblem(member, 400, 'validation_failed');
  });

  it('X-Forwarded-For that is no IP (too long, not-an-ip, <script>) never becomes the client IP', async () => {
    for (const forwarded of ['1'.repeat(100), 'not-an-ip', '<script>']) {
      const response = await t
        .client()
        .get('/api/v1/me', { ...bearer, 'x-forwarded-for': forwarded });
      expect(response.status).toBe(200);
    }
    const created = await t.admin.post(
      '/api/v1/profile/tokens',
      { name: 'xff' },
      { 'x-forwarded-for': '<script>' },
    );
    expect(created.status).toBe(201);
    const { rows } = await t.db.sql.query('select created_ip from api_token where id = $1', [
      created.body.id,
    ]);
    expect(rows[0].created_ip).toBe('127.0.0.1');
    const audit = await t.db.sql.query(`select distinct ip from audit_event`);
    expect(
      audit.rows.every(
        // `local` and `cli` label the first start and the admin CLI, not a client.
        (row: { ip: string | null }) =>
          row.ip === null || ['local', 'cli'].includes(row.ip) || /^[\d.:a-f]+$/.test(row.ip),
      ),
    ).toBe(true);
  });

  it('bad percent-encoding, parser rejections and a missing Host answer problem+json', async () => {
    expectProblem(
      await t.admin.request('DELETE', '/api/v1/profile/tokens/%ZZ'),
      400,
      'malformed_request',
    );
    const port = Number(new URL(t.baseUrl).port);
    for (const [request, code] of [
      ['GET /api/v1/me HTTP/1.1\r\n\r\n', 'malformed_request'],
      ['GET /api/v1/me HTTP/9.1\r\nHost: x\r\n\r\n', 'malformed_request'],
      [
        `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'headers_too_large',
      ],
    ]) {
      const response = await sendRaw(port, request);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(response.body)).toMatchObject({ code });
    }
  });

  it('unknown fields named like Object.prototype members are refused', async () => {
    for (const name of [
      'toString',
      'valueOf',
      'hasOwnProperty',
      'prototype',
      'constructor',
      'isPrototypeOf',
    ]) {
      const response = await t.admin.post('/api/v1/profile/tokens', {
        name: `x-${name}`,
        [name]: 1,
      });
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([
        { field: name, message: `${name} is not a known field` },
      ]);
    }
    const patch = await t.admin.request('PATCH', t.orgPath(`/members/${t.adminId}`), {
      body: { permissions: [] },
    });
    expectProblem(patch, 400, 'validation_failed');
    const nested = await t.admin.request('PATCH', t.orgPath(`/members/${t.adminId}`), {
      body: { permissions: { 'api_tokens.manage': true, toString: 1 } },
    });
    expectProblem(nested, 400, 'validation_failed');
    const { rows } = await t.db.sql.query(
      `select count(*)::int as n from api_token where name like 'x-%'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('a token in X-Request-Id, User-Agent or a path is neither logged, echoed nor stored', async () => {
    const { client: member } = await t.newMember({ email: 'ua@example.test' });
    const secret = (await t.newToken(member, { name: 'pasted' })).secret;
    const response = await member.post(
      '/api/v1/profile/tokens',
      { name: 'from-a-leaky-client' },
      { 'x-request-id': secret, 'user-agent': `curl/8.4 (${secret})` },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).not.toBe(secret);
    const listed = await member.get('/api/v1/profile/tokens', { 'user-agent': secret });
    expect(listed.text).not.toContain(secret);
    await member.request('POST', '/api/v1/auth/logout', {
      headers: { 'user-agent': secret, 'x-request-id': secret },
    });
    const relogin = await signIn(t, 'ua@example.test');
    await relogin.get('/api/v1/me', { 'user-agent': `x ${secret} y` });
    // In a path a token request reaches (last-used keeps the path), here a forged org id.
    const used = await t.newToken(relogin, { name: 'path-user' });
    const inPath = await t.client().get(t.orgPath('/members', secret), bearerOf(used.secret));
    expect(inPath.status).toBeGreaterThanOrEqual(400);
    await eventually(async () => {
      const { rows } = await t.db.sql.query('select last_used_path from api_token where id = $1', [
        used.id,
      ]);
      return rows[0].last_used_path !== null;
    });
    const tables = ['api_token', 'session', 'audit_event'];
    for (const table of tables) {
      const { rows } = await t.db.sql.query(`select t::text as row from ${table} t`);
      expect(rows.filter((r: { row: string }) => r.row.includes(secret))).toEqual([]);
    }
    expect(t.logs.filter((line) => line.includes(secret))).toEqual([]);
  });

  it('error details echo neither the Content-Type nor a token-shaped key name', async () => {
    const weird = 'application/x-secret-khp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL';
    const unsupported = await t.client().request('POST', '/api/v1/auth/login', {
      rawBody: 'x',
      headers: { 'content-type': weird },
    });
    expectProblem(unsupported, 415, 'unsupported_media_type');
    expect(unsupported.text).not.toContain('x-secret');
    const keyName = token.secret;
    const unknownKey = await t.admin.post('/api/v1/profile/tokens', { name: 'k', [keyName]: 1 });
    expectProblem(unknownKey, 400, 'validation_failed');
    expect(unknownKey.text).not.toContain(keyName);
  });

  it('a token pasted into a stored text field is refused (names, emails, search terms)', async () => {
    const named = await t.admin.post('/api/v1/profile/tokens', { name: `ci ${token.secret}` });
    expectProblem(named, 400, 'validation_failed');
    expect(named.body.errors).toEqual([
      { field: 'name', message: 'name must not contain an API token' },
    ]);
    expect(named.text).not.toContain(token.secret);
  });

  it('a request body that never finishes is answered 408 and the connection closed', async () => {
    const slow = await startTestApp({
      HTTP_REQUEST_TIMEOUT_MS: '1000',
      HTTP_HEADERS_TIMEOUT_MS: '500',
    });
    try {
      const port = Number(new URL(slow.baseUrl).port);
      const started = Date.now();
      const body = await sendRaw(
        port,
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em',
        15_000,
      );
      expect(body.status).toBe(408);
      expect(JSON.parse(body.body)).toMatchObject({ code: 'request_timeout' });
      const headers = await sendRaw(port, 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\n', 15_000);
      expect(headers.status).toBe(408);
      // Generous: Node checks for expired requests every 250 ms here (30 s by default).
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await slow.close();
    }
  });

  it('an unknown account and a wrong password cost the same database work', async () => {
    const counter = t.app.get(QueryCounter);

    await addMember(t, { email: 'timing@example.test' });
    const cost = async (email: string) => {
      // Statements sent while serving the request (background flushes are not in it).
      const before = counter.requestCount;
      const response = await t.client().login(email, 'not-the-password-123');
      expectProblem(response, 400, 'invalid_credentials');
      return counter.requestCount - before;
    };
    await cost('timing@example.test');
    const wrongPassword = await cost('timing@example.test');
    const unknownUser = await cost('nobody-at-all@example.test');
    expect(unknownUser).toBe(wrongPassword);
    expect((await signIn(t, 'timing@example.test', PASSWORD)).csrfToken).toBeDefined();
  });
});
