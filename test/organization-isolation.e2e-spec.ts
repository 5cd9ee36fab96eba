import { createToken, signIn } from './support/fixtures';
import { ADMIN_EMAIL, startTestApp } from './support/test-app';

describe('two organizations never see each other', () => {
  it('answers 404 on every organization endpoint for another organization', async () => {
    const t = await startTestApp();
    try {
      const admin = await t.admin();
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
      const otherToken = await createToken(otherAdmin, 'theirs');
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
      const me = await admin.get<{ organization: { id: string } }>('/api/v1/me');
      const sideways = await admin.request(
        'DELETE',
        `/api/v1/organizations/${me.body.organization.id}/tokens/${otherToken.id}`,
      );
      expect(sideways.status).toBe(404);
      expect(
        (await t.client().get('/api/v1/me', { authorization: `Bearer ${otherToken.token}` }))
          .status,
      ).toBe(200);
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
