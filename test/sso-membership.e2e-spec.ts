import { AuthMethod } from '../src/common/access/auth-method';
import { UsersService } from '../src/users/users.service';
import { expectProblem } from './support/context';
import { PASSWORD } from './support/fixtures';
import { CLIENT_ID, CLIENT_SECRET, useSsoContext } from './support/sso-context';

const PUBLIC_URL = 'http://keyhold.test';

/** Whom SSO signs in (members of that organization, verified, allowed), and switching to it. */
describe('SSO and membership against a real provider (oidc-provider 8)', () => {
  // The test provider is on loopback, which the outbound policy refuses unless listed.
  const sso = useSsoContext({
    publicUrl: PUBLIC_URL,
    env: () => ({ LOGIN_LIMIT_PER_MINUTE: '1000', SSO_ALLOWED_ISSUER_HOSTS: '127.0.0.1' }),
  });
  const users = () => sso.t.app.get(UsersService);
  /** An SSO member of the bootstrap organization, added through the Team API. */
  const ssoMember = (email: string) => sso.t.newMember({ email, sso: true, permissions: [] });
  /** A member of another organization, added with the admin CLI. */
  const addToOrg = (org: string, email: string) =>
    sso.cli('user:add', ['--org', org, '--email', email, '--sso']);

  beforeAll(async () => {
    // Another organization with the same provider, for addresses at other.test only.
    await sso.cli('org:create', ['--name', 'Other Org', '--admin-email', 'boss@other.test']);
    const ssoArgs = ['--org', 'other-org', '--issuer', sso.idp.issuer, '--client-id', CLIENT_ID];
    await sso.cli(
      'org:sso',
      [...ssoArgs, '--client-secret', '-', '--allow-domain', 'Other.TEST'],
      CLIENT_SECRET,
    );
  });

  describe('who may sign in', () => {
    it('refuses an email address that no member of the organization has', async () => {
      expectProblem((await sso.ssoLogin('nobody@example.test')).response, 403, 'sso_user_unknown');
    });

    it('refuses an SSO member of another organization', async () => {
      await addToOrg('other-org', 'otto@other.test');
      expectProblem((await sso.ssoLogin('otto@other.test')).response, 403, 'sso_user_unknown');
      const own = await sso.ssoLogin('otto@other.test', { org: 'other-org' });
      expect(own.response.status).toBe(302);
    });

    it('refuses an address the provider has not verified', async () => {
      await ssoMember('una@example.test');
      const { response } = await sso.ssoLogin('una@example.test', { verified: false });
      expectProblem(response, 403, 'sso_email_unverified');
    });

    it('refuses addresses outside the allowed domains', async () => {
      await addToOrg('other-org', 'eve@example.test');
      const { response } = await sso.ssoLogin('eve@example.test', { org: 'other-org' });
      expectProblem(response, 403, 'sso_email_domain_not_allowed');
    });

    it('refuses a password member through SSO', async () => {
      await sso.t.newMember({ email: 'pat@example.test', permissions: [] });
      expectProblem((await sso.ssoLogin('pat@example.test')).response, 403, 'sso_password_account');
    });

    it('refuses a deactivated SSO member', async () => {
      const dee = await ssoMember('dee@example.test');
      await sso.t.db.sql.query('update membership set is_active = false where user_id = $1', [
        dee.id,
      ]);
      expectProblem((await sso.ssoLogin('dee@example.test')).response, 403, 'account_disabled');
    });

    it('an SSO member’s password login answers 403 sso_required', async () => {
      await ssoMember('ann@example.test');
      const response = await sso.t.client().login('ann@example.test', 'any-password-at-all');
      expectProblem(response, 403, 'sso_required');
    });

    it('answers 404 sso_not_configured for an organization without SSO or an unknown slug', async () => {
      await sso.cli('org:create', ['--name', 'Plain Org', '--admin-email', 'boss@plain.test']);
      for (const slug of ['plain-org', 'no-such-org']) {
        expectProblem(
          await sso.t.client().get(`/api/v1/auth/sso/${slug}/start`),
          404,
          'sso_not_configured',
        );
      }
    });
  });

  describe('UsersService.setAuthMethod', () => {
    it('to SSO: erases the password hash and ends every session', async () => {
      const { t } = sso;
      const sam = await t.newMember({ email: 'sam@example.test', permissions: [] });
      const member = await sso.inContext(() => users().setAuthMethod(sam.id, AuthMethod.Sso));
      expect(member.authMethod).toBe(AuthMethod.Sso);
      expect((await sam.client.get('/api/v1/me')).status).toBe(401);
      const { rows } = await t.db.sql.query(
        `select u.password_hash, m.auth_method,
                (select count(*)::int from session s where s.user_id = u.id) as sessions
           from app_user u join membership m on m.user_id = u.id where u.id = $1`,
        [sam.id],
      );
      expect(rows).toEqual([{ password_hash: null, auth_method: 'sso', sessions: 0 }]);
      const login = await t.client().login('sam@example.test', PASSWORD);
      expectProblem(login, 403, 'sso_required');
      expect((await sso.ssoLogin('sam@example.test')).response.status).toBe(302);
    });

    it('back to password: needs a new password of 12+ characters, and ends the SSO sessions', async () => {
      const { t } = sso;
      const { id: userId } = await ssoMember('sid@example.test');
      const { browser } = await sso.ssoLogin('sid@example.test');
      expect((await browser.get('/api/v1/me')).status).toBe(200);
      await expect(
        sso.inContext(() => users().setAuthMethod(userId, AuthMethod.Password)),
      ).rejects.toMatchObject({ code: 'password_required' });
      await expect(
        sso.inContext(() => users().setAuthMethod(userId, AuthMethod.Password, 'too-short')),
      ).rejects.toMatchObject({ code: 'validation_failed' });
      await sso.inContext(() =>
        users().setAuthMethod(userId, AuthMethod.Password, 'a-new-password-1'),
      );
      expect((await browser.get('/api/v1/me')).status).toBe(401);
      expect((await t.client().login('sid@example.test', 'a-new-password-1')).status).toBe(200);
      expectProblem((await sso.ssoLogin('sid@example.test')).response, 403, 'sso_password_account');
    });

    it('refuses a password for SSO and an unknown user', async () => {
      const { id } = await ssoMember('ivy@example.test');
      await expect(
        sso.inContext(() => users().setAuthMethod(id, AuthMethod.Sso, 'x'.repeat(12))),
      ).rejects.toMatchObject({ code: 'password_not_allowed' });
      await expect(
        sso.inContext(() =>
          users().setAuthMethod('00000000-0000-4000-8000-000000000000', AuthMethod.Sso),
        ),
      ).rejects.toMatchObject({ code: 'user_not_found' });
    });
  });
});
