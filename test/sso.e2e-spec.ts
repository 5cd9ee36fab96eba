import { createHash, randomBytes } from 'node:crypto';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { CliModule } from '../src/cli/cli.module';
import { runCommand } from '../src/cli/commands';
import { AppConfig } from '../src/config/app-config';
import { AuthMethod } from '../src/users/membership.entity';
import { UsersService } from '../src/users/users.service';
import { HttpClient, HttpResponse } from './support/http-client';
import { startTestIdp, TamperMode, TestIdp } from './support/test-idp';
import { startTestApp, TestApp } from './support/test-app';

const PUBLIC_URL = 'http://keyhold.test';
const REDIRECT_URI = `${PUBLIC_URL}/api/v1/auth/sso/callback`;
const CLIENT_ID = 'keyhold';
const CLIENT_SECRET = `idp-secret-${randomBytes(12).toString('hex')}`;
const ORG = 'example-org';

function expectProblem(response: HttpResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

const stateHashOf = (callback: URL) =>
  createHash('sha256')
    .update(callback.searchParams.get('state') ?? '')
    .digest('hex');

describe('SSO: per-organization OpenID Connect against a real provider (oidc-provider 8)', () => {
  let idp: TestIdp;
  let t: TestApp;
  let admin: HttpClient;
  let orgId: string;
  let configured: HttpResponse;
  const ids: Record<string, string> = {};

  const inContext = <T>(work: () => Promise<T>): Promise<T> =>
    RequestContext.create(t.app.get(MikroORM).em.fork(), work);

  const stdin = (text: string) => ({ env: {}, readStdin: () => Promise.resolve(text) });
  const cli = (name: string, args: string[]) =>
    inContext(() => runCommand(t.app, name, args, stdin('member-password-123')));

  async function addMember(email: string, how: '--sso' | '--password', org = ORG) {
    const args = ['--org', org, '--email', email, how];
    if (how === '--password') args.push('-');
    const result = (await cli('user:add', args)) as { user: { id: string } };
    ids[email] = result.user.id;
  }

  /** Starts at Keyhold in a fresh browser, logs in at the provider, stops before the callback. */
  async function startAndSignIn(email: string, options: { org?: string; verified?: boolean } = {}) {
    const browser = t.client();
    const start = await browser.get(`/api/v1/auth/sso/${options.org ?? ORG}/start`);
    expect(start.status).toBe(302);
    const callback = await idp.signIn(String(start.headers.get('location')), email, options);
    expect(callback.href.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    return { browser, start, callback, path: callback.pathname + callback.search };
  }

  async function ssoLogin(email: string, options: { org?: string; verified?: boolean } = {}) {
    const flow = await startAndSignIn(email, options);
    return { ...flow, response: await flow.browser.get(flow.path) };
  }

  beforeAll(async () => {
    idp = await startTestIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
    });
    // The test provider is on loopback, which the outbound policy refuses unless listed.
    t = await startTestApp({
      PUBLIC_URL,
      LOGIN_LIMIT_PER_MINUTE: '1000',
      SSO_ALLOWED_ISSUER_HOSTS: '127.0.0.1',
    });
    admin = await t.admin();
    orgId = String(((await admin.get('/api/v1/me')).body.organization as { id: string }).id);
    configured = await admin.request('PUT', `/api/v1/organizations/${orgId}/sso`, {
      body: { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    await addMember('ann@example.test', '--sso');
    await addMember('pat@example.test', '--password');
    await addMember('dee@example.test', '--sso');
  });

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  describe('configuration', () => {
    it('PUT stores the provider and answers without the secret; GET reads it back', async () => {
      expect(configured.status).toBe(200);
      const expected = {
        organizationId: orgId,
        issuer: idp.issuer,
        clientId: CLIENT_ID,
        allowedEmailDomains: [],
        redirectUri: REDIRECT_URI,
        clientSecretSet: true,
      };
      expect(configured.body).toMatchObject(expected);
      const read = await admin.get(`/api/v1/organizations/${orgId}/sso`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject(expected);
      for (const response of [configured, read]) {
        expect(response.text).not.toContain(CLIENT_SECRET);
        expect(Object.keys(response.body)).not.toContain('clientSecret');
      }
    });

    it('keeps the secret only encrypted in the database and out of the logs', async () => {
      const { rows } = await t.db.sql.query<{ client_secret_encrypted: string }>(
        'select client_secret_encrypted from organization_sso where organization_id = $1',
        [orgId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].client_secret_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(rows[0].client_secret_encrypted).not.toContain(CLIENT_SECRET);
      const hexSecret = Buffer.from(CLIENT_SECRET).toString('hex');
      const dump = await t.db.sql.query(`select * from organization_sso`);
      expect(JSON.stringify(dump.rows)).not.toContain(CLIENT_SECRET);
      expect(JSON.stringify(dump.rows)).not.toContain(hexSecret);
      expect(t.logs.join('\n')).not.toContain(CLIENT_SECRET);
    });

    it('checks the issuer through discovery: unreachable or not exactly the stated issuer', async () => {
      const path = `/api/v1/organizations/${orgId}/sso`;
      const body = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
      const unreachable = await admin.request('PUT', path, {
        body: { ...body, issuer: 'http://127.0.0.1:9/nothing' },
      });
      expectProblem(unreachable, 400, 'sso_issuer_invalid');
      const mismatch = await admin.request('PUT', path, {
        body: { ...body, issuer: `${idp.issuer}/` },
      });
      expectProblem(mismatch, 400, 'sso_issuer_invalid');
      // What the fetched document said is never echoed (SPEC §5a): the same words either way.
      const generic = (response: HttpResponse, issuer: string) =>
        String(response.body.detail).replace(issuer, '<issuer>');
      expect(generic(mismatch, `${idp.issuer}/`)).toBe(
        generic(unreachable, 'http://127.0.0.1:9/nothing'),
      );
      const unknownField = await admin.request('PUT', path, {
        body: { ...body, issuer: idp.issuer, clientSecretPlain: 'x' },
      });
      expectProblem(unknownField, 400, 'validation_failed');
      const badDomain = await admin.request('PUT', path, {
        body: { ...body, issuer: idp.issuer, allowedEmailDomains: ['not a domain'] },
      });
      expectProblem(badDomain, 400, 'validation_failed');
      const after = await admin.get(path);
      expect(after.body).toMatchObject({ issuer: idp.issuer, allowedEmailDomains: [] });
    });

    it('is for superusers of that organization only, and PUT refuses CSRF-less requests', async () => {
      const member = t.client();
      expect((await member.login('pat@example.test', 'member-password-123')).status).toBe(200);
      expectProblem(
        await member.get(`/api/v1/organizations/${orgId}/sso`),
        403,
        'superuser_required',
      );
      const other = '00000000-0000-4000-8000-000000000000';
      expectProblem(
        await admin.get(`/api/v1/organizations/${other}/sso`),
        404,
        'organization_not_found',
      );
      const put = await admin.request('PUT', `/api/v1/organizations/${other}/sso`, {
        body: { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      expectProblem(put, 404, 'organization_not_found');
      const noCsrf = await admin.request('PUT', `/api/v1/organizations/${orgId}/sso`, {
        body: { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        csrf: false,
      });
      expectProblem(noCsrf, 403, 'csrf_failed');
      expectProblem(
        await t.client().get(`/api/v1/organizations/${orgId}/sso`),
        401,
        'authentication_required',
      );
    });

    it('org:sso (CLI) configures an organization and prints one JSON line without the secret', async () => {
      // The CLI's own module graph, on the server's config: both must share the secrets key.
      // (No `logger` option: it would replace Nest's process-wide logger under the test app.)
      const context = await NestFactory.createApplicationContext(
        CliModule.register(t.app.get(AppConfig), t.db.url),
      );
      const realCli = (name: string, args: string[]) =>
        runCommand(context, name, args, stdin(CLIENT_SECRET));
      const ssoArgs = ['--issuer', idp.issuer, '--client-id', CLIENT_ID];
      let result: Record<string, unknown>;
      let unknownOrg: unknown;
      try {
        await realCli('org:create', ['--name', 'Other Org', '--admin-email', 'boss@other.test']);
        result = await realCli('org:sso', [
          ...['--org', 'other-org', ...ssoArgs, '--client-secret', '-'],
          ...['--allow-domain', 'Other.TEST'],
        ]);
        unknownOrg = await realCli('org:sso', ['--org', 'nope', ...ssoArgs, '--client-secret', '-'])
          .then(() => 'accepted')
          .catch((error: unknown) => error);
      } finally {
        await context.close();
      }
      expect(JSON.stringify(result)).not.toContain(CLIENT_SECRET);
      expect(result).toMatchObject({
        action: 'org:sso',
        organization: { slug: 'other-org' },
        sso: { issuer: idp.issuer, clientId: CLIENT_ID, allowedEmailDomains: ['other.test'] },
      });
      expect(unknownOrg).toMatchObject({ code: 'organization_not_found' });
      const { rows } = await t.db.sql.query<{ client_secret_encrypted: string }>(
        `select s.client_secret_encrypted from organization_sso s
           join organization o on o.id = s.organization_id where o.slug = 'other-org'`,
      );
      expect(rows[0].client_secret_encrypted).not.toContain(CLIENT_SECRET);
    });
  });

  describe('sign-in round trip', () => {
    it('start → provider → callback gives an SSO session with the password login’s cookies', async () => {
      const { browser, start, response, callback } = await ssoLogin('ann@example.test');
      const authorize = new URL(String(start.headers.get('location')));
      expect(authorize.origin).toBe(idp.issuer);
      const params = Object.fromEntries(authorize.searchParams);
      expect(params).toMatchObject({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
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
        user: { email: 'ann@example.test', authMethod: 'sso' },
        organization: { id: orgId, slug: ORG },
        isSuperuser: false,
        auth: { kind: 'session' },
      });
      const { rows } = await t.db.sql.query<{ method: string; last_login_at: Date | null }>(
        `select s.method, m.last_login_at from session s join membership m using (user_id)
          where s.user_id = $1`,
        [ids['ann@example.test']],
      );
      expect(rows.map((row) => row.method)).toEqual(['sso']);
      expect(rows[0].last_login_at).toBeInstanceOf(Date);

      browser.csrfToken = browser.cookie('csrf_token');
      expect((await browser.post('/api/v1/auth/logout')).status).toBe(204);
      expect((await browser.get('/api/v1/me')).status).toBe(401);
    });

    it('a state is good once: replaying the callback is refused', async () => {
      const { browser, path } = await startAndSignIn('ann@example.test');
      const binding = String(browser.cookie('keyhold_sso'));
      expect((await browser.get(path)).status).toBe(302);
      browser.setCookie('keyhold_sso', binding);
      expectProblem(await browser.get(path), 400, 'sso_state_invalid');
    });

    it('takes the email from UserInfo when the ID token lacks it; 502 when the provider is down', async () => {
      const minimal = await startTestIdp({
        clientId: 'minimal',
        clientSecret: CLIENT_SECRET,
        redirectUri: REDIRECT_URI,
        conformIdTokenClaims: true,
      });
      try {
        await cli('org:create', ['--name', 'Minimal Org', '--admin-email', 'boss@minimal.test']);
        const ssoArgs = [
          '--org',
          'minimal-org',
          '--issuer',
          minimal.issuer,
          '--client-id',
          'minimal',
        ];
        await inContext(() =>
          runCommand(t.app, 'org:sso', [...ssoArgs, '--client-secret', '-'], stdin(CLIENT_SECRET)),
        );
        await addMember('mia@minimal.test', '--sso', 'minimal-org');
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
      const { browser, callback } = await startAndSignIn('ann@example.test');
      const refused = new URL(REDIRECT_URI);
      refused.searchParams.set('error', 'access_denied');
      refused.searchParams.set('state', String(callback.searchParams.get('state')));
      refused.searchParams.set('iss', idp.issuer);
      const response = await browser.get(refused.pathname + refused.search);
      expectProblem(response, 400, 'sso_provider_error');
      expect(response.body.detail).toContain('access_denied');
    });

    it('an authorization code the provider does not know is refused', async () => {
      const { browser, callback } = await startAndSignIn('ann@example.test');
      callback.searchParams.set('code', randomBytes(32).toString('base64url'));
      const response = await browser.get(callback.pathname + callback.search);
      expectProblem(response, 400, 'sso_provider_error');
      expect(response.body.detail).toContain('invalid_grant');
    });
  });

  describe('state', () => {
    it('a callback whose state was never issued is refused, and nothing is signed in', async () => {
      const { browser, callback } = await startAndSignIn('ann@example.test');
      callback.searchParams.set('state', randomBytes(32).toString('base64url'));
      const response = await browser.get(callback.pathname + callback.search);
      expectProblem(response, 400, 'sso_state_invalid');
      expect(response.headers.getSetCookie().join()).not.toContain('keyhold_session=');
      expect((await browser.get('/api/v1/me')).status).toBe(401);
    });

    it('a state presented by another browser (login CSRF) is refused and stays usable for its own', async () => {
      const { browser, path } = await startAndSignIn('ann@example.test');
      expectProblem(await t.client().get(path), 400, 'sso_state_invalid');
      const stranger = t.client();
      stranger.setCookie('keyhold_sso', randomBytes(32).toString('base64url'));
      expectProblem(await stranger.get(path), 400, 'sso_state_invalid');
      expect((await browser.get(path)).status).toBe(302);
    });

    it('a state older than 10 minutes is refused (and then gone)', async () => {
      const { browser, callback, path } = await startAndSignIn('ann@example.test');
      const updated = await t.db.sql.query(
        `update sso_login_state set expires_at = now() - interval '1 second' where state_hash = $1`,
        [stateHashOf(callback)],
      );
      expect(updated.rowCount).toBe(1);
      expectProblem(await browser.get(path), 400, 'sso_state_expired');
      const { rowCount } = await t.db.sql.query(
        'select 1 from sso_login_state where state_hash = $1',
        [stateHashOf(callback)],
      );
      expect(rowCount).toBe(0);
    });

    it('stores the PKCE verifier encrypted, and only a hash of the state', async () => {
      const { callback } = await startAndSignIn('ann@example.test');
      const state = String(callback.searchParams.get('state'));
      const { rows } = await t.db.sql.query<{ code_verifier_encrypted: string }>(
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
      const { browser, callback, path } = await startAndSignIn('ann@example.test');
      await t.db.sql.query(`update sso_login_state set nonce = $2 where state_hash = $1`, [
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
      const { browser, path } = await startAndSignIn('ann@example.test');
      await idp.tamperNextIdToken(mode);
      const response = await browser.get(path);
      expectProblem(response, 401, 'sso_token_invalid');
      expect(response.body.detail).toContain(reason);
      expect(response.headers.getSetCookie().join()).not.toContain('keyhold_session=');
    });

    it('never logs the state, nonce or PKCE verifier of a refused login', async () => {
      const { browser, callback, path } = await startAndSignIn('ann@example.test');
      const { rows } = await t.db.sql.query<{ nonce: string }>(
        'select nonce from sso_login_state where state_hash = $1',
        [stateHashOf(callback)],
      );
      await idp.tamperNextIdToken('forge');
      expectProblem(await browser.get(path), 401, 'sso_token_invalid');
      const logs = t.logs.join('\n');
      expect(logs).toContain('SSO sign-in refused');
      expect(logs).not.toContain(String(callback.searchParams.get('state')));
      expect(logs).not.toContain(rows[0].nonce);
      expect(logs).not.toContain(String(callback.searchParams.get('code')));
    });
  });

  describe('who may sign in', () => {
    it('refuses an email address that no member of the organization has', async () => {
      expectProblem((await ssoLogin('nobody@example.test')).response, 403, 'sso_user_unknown');
    });

    it('refuses an SSO member of another organization', async () => {
      await addMember('otto@other.test', '--sso', 'other-org');
      expectProblem((await ssoLogin('otto@other.test')).response, 403, 'sso_user_unknown');
      const own = await ssoLogin('otto@other.test', { org: 'other-org' });
      expect(own.response.status).toBe(302);
    });

    it('refuses an address the provider has not verified', async () => {
      const { response } = await ssoLogin('ann@example.test', { verified: false });
      expectProblem(response, 403, 'sso_email_unverified');
    });

    it('refuses addresses outside the allowed domains', async () => {
      await addMember('eve@example.test', '--sso', 'other-org');
      const { response } = await ssoLogin('eve@example.test', { org: 'other-org' });
      expectProblem(response, 403, 'sso_email_domain_not_allowed');
    });

    it('refuses a password member through SSO', async () => {
      expectProblem((await ssoLogin('pat@example.test')).response, 403, 'sso_password_account');
    });

    it('refuses a deactivated SSO member', async () => {
      await t.db.sql.query('update membership set is_active = false where user_id = $1', [
        ids['dee@example.test'],
      ]);
      expectProblem((await ssoLogin('dee@example.test')).response, 403, 'account_disabled');
    });

    it('an SSO member’s password login answers 403 sso_required', async () => {
      const response = await t.client().login('ann@example.test', 'any-password-at-all');
      expectProblem(response, 403, 'sso_required');
    });

    it('answers 404 sso_not_configured for an organization without SSO or an unknown slug', async () => {
      await cli('org:create', ['--name', 'Plain Org', '--admin-email', 'boss@plain.test']);
      expectProblem(
        await t.client().get('/api/v1/auth/sso/plain-org/start'),
        404,
        'sso_not_configured',
      );
      expectProblem(
        await t.client().get('/api/v1/auth/sso/no-such-org/start'),
        404,
        'sso_not_configured',
      );
    });
  });

  describe('UsersService.setAuthMethod', () => {
    const users = () => t.app.get(UsersService);

    it('to SSO: erases the password hash and ends every session', async () => {
      await addMember('sam@example.test', '--password');
      const session = t.client();
      expect((await session.login('sam@example.test', 'member-password-123')).status).toBe(200);
      const member = await inContext(() =>
        users().setAuthMethod(ids['sam@example.test'], AuthMethod.Sso),
      );
      expect(member.authMethod).toBe(AuthMethod.Sso);
      expect((await session.get('/api/v1/me')).status).toBe(401);
      const { rows } = await t.db.sql.query(
        `select u.password_hash, m.auth_method,
                (select count(*)::int from session s where s.user_id = u.id) as sessions
           from app_user u join membership m on m.user_id = u.id where u.id = $1`,
        [ids['sam@example.test']],
      );
      expect(rows).toEqual([{ password_hash: null, auth_method: 'sso', sessions: 0 }]);
      const login = await t.client().login('sam@example.test', 'member-password-123');
      expectProblem(login, 403, 'sso_required');
      expect((await ssoLogin('sam@example.test')).response.status).toBe(302);
    });

    it('back to password: needs a new password of 12+ characters, and ends the SSO sessions', async () => {
      const { browser } = await ssoLogin('sam@example.test');
      expect((await browser.get('/api/v1/me')).status).toBe(200);
      const userId = ids['sam@example.test'];
      await expect(
        inContext(() => users().setAuthMethod(userId, AuthMethod.Password)),
      ).rejects.toMatchObject({ code: 'password_required' });
      await expect(
        inContext(() => users().setAuthMethod(userId, AuthMethod.Password, 'too-short')),
      ).rejects.toMatchObject({ code: 'validation_failed' });
      await inContext(() => users().setAuthMethod(userId, AuthMethod.Password, 'a-new-password-1'));
      expect((await browser.get('/api/v1/me')).status).toBe(401);
      expect((await t.client().login('sam@example.test', 'a-new-password-1')).status).toBe(200);
      expectProblem((await ssoLogin('sam@example.test')).response, 403, 'sso_password_account');
    });

    it('refuses a password for SSO and an unknown user', async () => {
      await expect(
        inContext(() =>
          users().setAuthMethod(ids['ann@example.test'], AuthMethod.Sso, 'x'.repeat(12)),
        ),
      ).rejects.toMatchObject({ code: 'password_not_allowed' });
      await expect(
        inContext(() =>
          users().setAuthMethod('00000000-0000-4000-8000-000000000000', AuthMethod.Sso),
        ),
      ).rejects.toMatchObject({ code: 'user_not_found' });
    });
  });

  it('documents the SSO endpoints and error codes in OpenAPI', async () => {
    const doc = await t.client().get<{
      paths: Record<string, unknown>;
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    }>('/api/docs-json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/sso/{orgSlug}/start',
        '/api/v1/auth/sso/callback',
        '/api/v1/organizations/{orgId}/sso',
      ]),
    );
    expect(doc.body.components.schemas.Problem.properties.code.enum).toEqual(
      expect.arrayContaining(['sso_state_invalid', 'sso_token_invalid', 'sso_user_unknown']),
    );
  });
});
