import { createHash } from 'node:crypto';
import { HttpClient } from './support/http-client';
import { expectProblem } from './support/context';
import { addMember, PASSWORD, signIn } from './support/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

describe('sessions: login, logout, CSRF, expiry, re-authentication (SPEC §4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      LOGIN_LIMIT_PER_MINUTE: '100',
      SESSION_IDLE_MINUTES: '30',
      SESSION_ABSOLUTE_HOURS: '2',
    });
  });
  afterAll(() => t.close());

  it('logs in: 200 {user, csrfToken}, an HttpOnly SameSite=Lax Secure session cookie and a readable csrf cookie', async () => {
    const client = t.client();
    const response = await client.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ user: { email: ADMIN_EMAIL, authMethod: 'password' } });
    expect(typeof response.body.csrfToken).toBe('string');
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('keyhold_session='));
    const csrf = cookies.find((c) => c.startsWith('csrf_token='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Secure/i);
    expect(csrf).not.toMatch(/HttpOnly/i);
    expect(client.cookie('csrf_token')).toBe(response.body.csrfToken);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('stores only a hash of the session cookie', async () => {
    const client = await t.admin();
    const secret = client.cookie('keyhold_session') as string;
    const { rows } = await t.db.sql.query('select * from session');
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(client.csrfToken);
  });

  it('answers a wrong password and an unknown user alike, and counts failures', async () => {
    const member = await addMember(t, { email: 'count@example.test' });
    const wrong = await t.client().login(member.email, 'wrong-password-1');
    const unknown = await t.client().login('nobody@example.test', 'wrong-password-1');
    for (const response of [wrong, unknown]) {
      expectProblem(response, 400, 'invalid_credentials');
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
    const { rows } = await t.db.sql.query(
      'select failed_login_count from membership where user_id = $1',
      [member.id],
    );
    expect(rows[0].failed_login_count).toBe(1);
    await signIn(t, member.email);
    const after = await t.db.sql.query(
      'select failed_login_count, last_login_at from membership where user_id = $1',
      [member.id],
    );
    expect(after.rows[0].failed_login_count).toBe(0);
    expect(after.rows[0].last_login_at).not.toBeNull();
  });

  it('answers a password login of an SSO user with 403 sso_required', async () => {
    await addMember(t, { email: 'sso@example.test', sso: true });
    const response = await t.client().login('sso@example.test', 'anything-at-all');
    expectProblem(response, 403, 'sso_required');
  });

  it('refuses a deactivated member after the right password', async () => {
    const member = await addMember(t, { email: 'off@example.test' });
    await t.db.sql.query('update membership set is_active = false where user_id = $1', [member.id]);
    const response = await t.client().login(member.email, PASSWORD);
    expectProblem(response, 403, 'account_disabled');
  });

  it('refuses unsafe cookie requests without the CSRF header, or with a wrong one', async () => {
    const client = await t.admin();
    const missing = await client.request('POST', '/api/v1/auth/logout', { csrf: false });
    expectProblem(missing, 403, 'csrf_failed');
    const wrong = await client.request('POST', '/api/v1/auth/logout', {
      headers: { 'x-csrf-token': 'nope' },
    });
    expect(wrong.status).toBe(403);
    // Another session's valid pair does not fit this session.
    const other = await t.admin();
    const foreign = await client.request('POST', '/api/v1/auth/logout', {
      headers: {
        'x-csrf-token': other.csrfToken as string,
        cookie: `keyhold_session=${client.cookie('keyhold_session')}; csrf_token=${other.csrfToken}`,
      },
    });
    expect(foreign.status).toBe(403);
    expect((await client.get('/api/v1/me')).status).toBe(200);
  });

  it('logs out: the session row is gone and the cookie no longer works', async () => {
    const client = await t.admin();
    const secret = client.cookie('keyhold_session') as string;
    const response = await client.request('POST', '/api/v1/auth/logout');
    expect(response.status).toBe(204);
    const replay = await t.client().get('/api/v1/me', { cookie: `keyhold_session=${secret}` });
    expect(replay.status).toBe(401);
  });

  const hashOf = (client: HttpClient) =>
    createHash('sha256')
      .update(client.cookie('keyhold_session') as string)
      .digest('hex');

  it('expires idle sessions and sessions past their absolute lifetime', async () => {
    const idle = await t.admin();
    await t.db.sql.query(
      `update session set last_seen_at = now() - interval '31 minutes' where secret_hash = $1`,
      [hashOf(idle)],
    );
    const idleResponse = await idle.get('/api/v1/me');
    expectProblem(idleResponse, 401, 'session_expired');

    const old = await t.admin();
    await t.db.sql.query(
      `update session set absolute_expires_at = now() - interval '1 second' where secret_hash = $1`,
      [hashOf(old)],
    );
    expect((await old.get('/api/v1/me')).body.code).toBe('session_expired');
    const { rows } = await t.db.sql.query(
      'select count(*)::int as n from session where secret_hash in ($1, $2)',
      [hashOf(idle), hashOf(old)],
    );
    expect(rows[0].n).toBe(0);
  });

  it('keeps an active session alive: recent use moves last seen forward', async () => {
    const client = await t.admin();
    await t.db.sql.query(
      `update session set last_seen_at = now() - interval '20 minutes' where secret_hash = $1`,
      [hashOf(client)],
    );
    expect((await client.get('/api/v1/me')).status).toBe(200);
    const { rows } = await t.db.sql.query(
      `select last_seen_at > now() - interval '1 minute' as fresh from session where secret_hash = $1`,
      [hashOf(client)],
    );
    expect(rows[0].fresh).toBe(true);
  });

  it('re-authenticates with the password; a wrong one is refused', async () => {
    const client = await t.admin();
    const wrong = await client.post('/api/v1/auth/reauthenticate', { password: 'not-it' });
    expectProblem(wrong, 400, 'invalid_credentials');
    await t.db.sql.query(`update session set password_verified_at = now() - interval '1 hour'`);
    const right = await client.post('/api/v1/auth/reauthenticate', { password: ADMIN_PASSWORD });
    expect(right.status).toBe(200);
    const { rows } = await t.db.sql.query(
      `select count(*)::int as n from session where password_verified_at > now() - interval '1 minute'`,
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('login throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Per (account, IP) 3; per IP across accounts 8 (the per-account test uses 5 of them).
    t = await startTestApp({ LOGIN_LIMIT_PER_MINUTE: '3', LOGIN_IP_LIMIT_PER_MINUTE: '8' });
  });
  afterAll(() => t.close());

  it('throttles per account with 429 and Retry-After, even from fresh clients', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await t.client().login(ADMIN_EMAIL, `wrong-${i}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.body.code).toBe('rate_limited');
    // From the same IP even the right password waits out the window (per account and IP; a
    // fresh IP is not locked out: test/login-throttling.e2e-spec.ts).
    expect((await t.client().login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(429);
  });

  it('throttles per IP across accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await t.client().login(`someone-${i}@example.test`, 'x')).status);
    }
    expect(statuses).toContain(429);
  });
});
