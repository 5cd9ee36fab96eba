import { bearer, TestContext } from './support/context';
import { signIn } from './support/fixtures';
import { ADMIN_EMAIL } from './support/test-app';

describe('two organizations never see each other', () => {
  it('answers 404 on every organization endpoint for another organization', async () => {
    const t = await TestContext.start();
    const { admin } = t;
    try {
      const { OrganizationsService } = await import('../src/organizations/organizations.service');
      const { MikroORM, RequestContext } = await import('@mikro-orm/postgresql');
      const other = await RequestContext.create(t.app.get(MikroORM).em.fork(), () =>
        t.app.get(OrganizationsService).createWithAdmin({
          name: 'Other Org',
          adminEmail: 'boss@other.test',
          adminPassword: 'other-password-12',
        }),
      );
      const otherOrg = other.organization.id;
      const otherAdmin = await signIn(t, 'boss@other.test', 'other-password-12');
      const otherToken = await t.newToken(otherAdmin, { name: 'theirs' });
      const base = `/api/v1/organizations/${otherOrg}`;
      const responses = [
        await admin.get(`${base}/members`),
        await admin.post(`${base}/members`, {
          email: 'z@example.test',
          name: 'Z',
          authMethod: 'sso',
        }),
        await admin.request('PATCH', `${base}/members/${other.admin.user.id}`, {
          body: { isActive: false },
        }),
        await admin.get(`${base}/tokens`),
        await admin.request('DELETE', `${base}/tokens/${otherToken.id}`),
        await admin.get(`${base}/audit-events`),
      ];
      for (const response of responses) {
        expect(response.status).toBe(404);
      }
      // Their token cannot be revoked through our organization's path either.
      const sideways = await admin.request('DELETE', t.orgPath(`/tokens/${otherToken.id}`));
      expect(sideways.status).toBe(404);
      expect((await t.client().get('/api/v1/me', bearer(otherToken.secret))).status).toBe(200);
      const { rows } = await t.db.sql.query('select is_active from membership where user_id = $1', [
        other.admin.user.id,
      ]);
      expect(rows[0].is_active).toBe(true);
      expect(ADMIN_EMAIL).not.toBe('boss@other.test');
    } finally {
      await t.close();
    }
  });
});
