import { randomBytes } from 'node:crypto';
import { expectProblem } from './support/context';
import { CLIENT_ID, CLIENT_SECRET, ORG, stateHashOf, useSsoContext } from './support/sso-context';
import { startTestIdp, TamperMode } from './support/test-idp';

const PUBLIC_URL = 'http://keyhold.test';
const ANN = 'ann@example.test';

/** The OpenID Connect sign-in itself: round trip, state, PKCE, ID token checks. */
describe('SSO sign-in against a real provider (oidc-provider 8)', () => {
  // The test provider is on loopback, which the outbound policy refuses unless listed.
  const sso = useSsoContext({
    publicUrl: PUBLIC_URL,
    env: () => ({ LOGIN_LIMIT_PER_MINUTE: '1000', SSO_ALLOWED_ISSUER_HOSTS: '127.0.0.1' }),
  });
  beforeAll(async () => {
    await sso.t.newMember({ email: ANN, sso: true, permissions: [] });
  });

  describe('round trip', () => {
    it('start → provider → callback gives an SSO session with the password login’s cookies', async () => {
      const { t, idp } = sso;
      // A member of its own: the sessions of this sign-in are all it has.
      const rue = await t.newMember({ email: 'rue@example.test', sso: true, permissions: [] });
      const { browser, start, response, callback } = await sso.ssoLogin(rue.email);
      const authorize = new URL(String(start.headers.get('location')));
      expect(authorize.origin).toBe(idp.issuer);
      const params = Object.fromEntries(authorize.searchParams);
      expect(params).toMatchObject({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: sso.redirectUri,
        scope: 'openid email',
        code_challenge_method: 'S256',
      });
      for (const random of ['code_challenge', 'state', 'nonce']) {
        expect(params[random]).toMatch(/^[\w-]{43}$/);
      }
      expect(callback.searchParams.get('iss')).toBe(idp.issuer);

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${PUBLIC_URL}/`);
      const cookies = response.headers.getSetCookie().join('\n');
      expect(cookies).toMatch(/keyhold_session=[\w-]+;.*HttpOnly/);
      expect(cookies).toMatch(/csrf_token=[\w-]+;/);
      expect(cookies).toMatch(/keyhold_sso=;/);
      expect(browser.cookie('keyhold_sso')).toBeUndefined();

      const me = await browser.get('/api/v1/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        user: { email: rue.email, authMethod: 'sso' },
        organization: { id: t.org.id, slug: ORG },
        isSuperuser: false,
        auth: { kind: 'session' },
      });
      const { rows } = await t.db.sql.query<{ method: string; last_login_at: Date | null }>(
        `select s.method, m.last_login_at from session s join membership m using (user_id)
          where s.user_id = $1`,
        [rue.id],
      );
      expect(rows.map((row) => row.method)).toEqual(['sso']);
      expect(rows[0].last_login_at).toBeInstanceOf(Date);

      browser.csrfToken = browser.cookie('csrf_token');
      expect((await browser.post('/api/v1/auth/logout')).status).toBe(204);
      expect((await browser.get('/api/v1/me')).status).toBe(401);
    });

    it('a state is good once: replaying the callback is refused', async () => {
      const { browser, path } = await sso.startAndSignIn(ANN);
      const binding = String(browser.cookie('keyhold_sso'));
      expect((await browser.get(path)).status).toBe(302);
      browser.setCookie('keyhold_sso', binding);
      expectProblem(await browser.get(path), 400, 'sso_state_invalid');
    });

    it('takes the email from UserInfo when the ID token lacks it; 502 when the provider is down', async () => {
      const { t } = sso;
      const minimal = await startTestIdp({
        clientId: 'minimal',
        clientSecret: CLIENT_SECRET,
        redirectUri: sso.redirectUri,
        conformIdTokenClaims: true,
      });
      try {
        await sso.cli('org:create', [
          ...['--name', 'Minimal Org', '--admin-email', 'boss@minimal.test'],
        ]);
        const ssoArgs = ['--org', 'minimal-org', '--issuer', minimal.issuer];
        await sso.cli(
          'org:sso',
          [...ssoArgs, '--client-id', 'minimal', '--client-secret', '-'],
          CLIENT_SECRET,
        );
        await sso.cli('user:add', [
          ...['--org', 'minimal-org', '--email', 'mia@minimal.test', '--sso'],
        ]);
        const browser = t.client();
        const start = await browser.get('/api/v1/auth/sso/minimal-org/start');
        const callback = await minimal.signIn(
          String(start.headers.get('location')),
          'mia@minimal.test',
        );
        const response = await browser.get(callback.pathname + callback.search);
        expect(response.status).toBe(302);
        const me = await browser.get('/api/v1/me');
        expect(me.body).toMatchObject({ user: { email: 'mia@minimal.test', authMethod: 'sso' } });

        const again = t.client();
        const next = await again.get('/api/v1/auth/sso/minimal-org/start');
        const pending = await minimal.signIn(
          String(next.headers.get('location')),
          'mia@minimal.test',
        );
        await minimal.stop();
        const down = await again.get(pending.pathname + pending.search);
        expectProblem(down, 502, 'sso_provider_unavailable');
      } finally {
        await minimal.stop();
      }
    });
  });

  describe('provider refusals', () => {
    it('a refusal at the provider (error=access_denied) answers sso_provider_error', async () => {
      const { browser, callback } = await sso.startAndSignIn(ANN);
      const refused = new URL(sso.redirectUri);
      refused.searchParams.set('error', 'access_denied');
      refused.searchParams.set('state', String(callback.searchParams.get('state')));
      refused.searchParams.set('iss', sso.idp.issuer);
      const response = await browser.get(refused.pathname + refused.search);
      expectProblem(response, 400, 'sso_provider_error');
      expect(response.body.detail).toContain('access_denied');
    });

    it('an authorization code the provider does not know is refused', async () => {
      const { browser, callback } = await sso.startAndSignIn(ANN);
      callback.searchParams.set('code', randomBytes(32).toString('base64url'));
      const response = await browser.get(callback.pathname + callback.search);
      expectProblem(response, 400, 'sso_provider_error');
      expect(response.body.detail).toContain('invalid_grant');
    });
  });

  describe('state', () => {
    it('a callback whose state was never issued is refused, and nothing is signed in', async () => {
      const { browser, callback } = await sso.startAndSignIn(ANN);
      callback.searchParams.set('state', randomBytes(32).toString('base64url'));
      const response = await browser.get(callback.pathname + callback.search);
      expectProblem(response, 400, 'sso_state_invalid');
      expect(response.headers.getSetCookie().join()).not.toContain('keyhold_session=');
      expect((await browser.get('/api/v1/me')).status).toBe(401);
    });

    it('a state presented by another browser (login CSRF) is refused and stays usable for its own', async () => {
      const { browser, path } = await sso.startAndSignIn(ANN);
      expectProblem(await sso.t.client().get(path), 400, 'sso_state_invalid');
      const stranger = sso.t.client();
      stranger.setCookie('keyhold_sso', randomBytes(32).toString('base64url'));
      expectProblem(await stranger.get(path), 400, 'sso_state_invalid');
      expect((await browser.get(path)).status).toBe(302);
    });

    it('a state older than 10 minutes is refused (and then gone)', async () => {
      const { sql } = sso.t.db;
      const { browser, callback, path } = await sso.startAndSignIn(ANN);
      const updated = await sql.query(
        `update sso_login_state set expires_at = now() - interval '1 second' where state_hash = $1`,
        [stateHashOf(callback)],
      );
      expect(updated.rowCount).toBe(1);
      expectProblem(await browser.get(path), 400, 'sso_state_expired');
      const { rowCount } = await sql.query('select 1 from sso_login_state where state_hash = $1', [
        stateHashOf(callback),
      ]);
      expect(rowCount).toBe(0);
    });

    it('stores the PKCE verifier encrypted, and only a hash of the state', async () => {
      const { callback } = await sso.startAndSignIn(ANN);
      const state = String(callback.searchParams.get('state'));
      const { rows } = await sso.t.db.sql.query<{ code_verifier_encrypted: string }>(
        `select * from sso_login_state where state_hash = $1`,
        [stateHashOf(callback)],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].code_verifier_encrypted).toMatch(/^v1\./);
      expect(JSON.stringify(rows)).not.toContain(state);
    });
  });

  describe('ID token validation', () => {
    it('refuses an ID token whose nonce is not the one this login sent', async () => {
      const { browser, callback, path } = await sso.startAndSignIn(ANN);
      await sso.t.db.sql.query(`update sso_login_state set nonce = $2 where state_hash = $1`, [
        stateHashOf(callback),
        randomBytes(32).toString('base64url'),
      ]);
      const response = await browser.get(path);
      expectProblem(response, 401, 'sso_token_invalid');
      expect(response.body.detail).toContain('nonce mismatch');
      expect((await browser.get('/api/v1/me')).status).toBe(401);
    });

    it.each<[TamperMode, string]>([
      ['forge', 'failed to validate JWT signature'],
      ['expired', 'JWT expired'],
      ['audience', 'aud mismatch'],
      ['issuer', 'unexpected iss value'],
    ])('refuses a doctored ID token (%s)', async (mode, reason) => {
      const { browser, path } = await sso.startAndSignIn(ANN);
      await sso.idp.tamperNextIdToken(mode);
      const response = await browser.get(path);
      expectProblem(response, 401, 'sso_token_invalid');
      expect(response.body.detail).toContain(reason);
      expect(response.headers.getSetCookie().join()).not.toContain('keyhold_session=');
    });

    it('never logs the state, nonce or PKCE verifier of a refused login', async () => {
      const { t } = sso;
      const { browser, callback, path } = await sso.startAndSignIn(ANN);
      const { rows } = await t.db.sql.query<{ nonce: string }>(
        'select nonce from sso_login_state where state_hash = $1',
        [stateHashOf(callback)],
      );
      await sso.idp.tamperNextIdToken('forge');
      expectProblem(await browser.get(path), 401, 'sso_token_invalid');
      const logs = t.logs.join('\n');
      expect(logs).toContain('SSO sign-in refused');
      expect(logs).not.toContain(String(callback.searchParams.get('state')));
      expect(logs).not.toContain(rows[0].nonce);
      expect(logs).not.toContain(String(callback.searchParams.get('code')));
    });
  });
});
