import { UpdateMemberDto } from '../src/permissions/members.dto';
import { TeamService } from '../src/permissions/team.service';
import { META, principalOf, ServiceMember, useServiceContext } from './support/service-context';

/**
 * TeamService on real PostgreSQL, no HTTP: an organization always keeps an active superuser.
 * (Members are never removed, only deactivated: there is no removal to guard.)
 */
describe('the last active superuser (TeamService, real PostgreSQL)', () => {
  const s = useServiceContext();

  const update = (by: ServiceMember, target: ServiceMember, patch: UpdateMemberDto) =>
    s.inContext(() =>
      s.get(TeamService).update(principalOf(by), target.organizationId, target.userId, patch, META),
    );
  const superusers = async (organizationId: string) =>
    (
      await s.db.sql.query<{ email: string }>(
        `select u.email from membership m join app_user u on u.id = m.user_id
          where m.organization_id = $1 and m.is_superuser and m.is_active order by u.email`,
        [organizationId],
      )
    ).rows.map((row) => row.email);
  const auditedChanges = async (organizationId: string) =>
    (
      await s.db.sql.query<{ n: number }>(
        `select count(*)::int as n from audit_event where organization_id = $1
           and action in ('member.superuser_withdrawn', 'member.deactivated')`,
        [organizationId],
      )
    ).rows[0].n;

  it.each<[string, UpdateMemberDto]>([
    ['demoted', { isSuperuser: false }],
    ['deactivated', { isActive: false }],
    ['demoted and deactivated at once', { isSuperuser: false, isActive: false }],
  ])('the only superuser cannot be %s: last_superuser, nothing changes', async (_, patch) => {
    const org = await s.newOrganization();
    await expect(update(org.admin, org.admin, patch)).rejects.toMatchObject({
      code: 'last_superuser',
    });
    expect(await superusers(org.id)).toEqual([org.admin.email]);
    expect(await auditedChanges(org.id)).toBe(0);
  });

  it('a deactivated superuser does not count; an active second one does', async () => {
    const org = await s.newOrganization();
    const second = await s.newMember(org.id, { email: 'second@org.test', superuser: true });
    await update(org.admin, second, { isActive: false });
    await expect(update(org.admin, org.admin, { isSuperuser: false })).rejects.toMatchObject({
      code: 'last_superuser',
    });
    await update(org.admin, second, { isActive: true });
    await update(second, org.admin, { isSuperuser: false });
    expect(await superusers(org.id)).toEqual([second.email]);
    // Now the second one is the last: protected in turn.
    await expect(update(second, second, { isActive: false })).rejects.toMatchObject({
      code: 'last_superuser',
    });
  });

  it('other changes to the last superuser are allowed', async () => {
    const org = await s.newOrganization();
    const view = await update(org.admin, org.admin, {
      permissions: { 'api_tokens.manage': false },
      isSuperuser: true,
      isActive: true,
    });
    expect(view).toMatchObject({ isSuperuser: true, isActive: true, permissions: [] });
  });

  it('two superusers demoting each other at once: exactly one succeeds, one remains', async () => {
    const org = await s.newOrganization();
    const second = await s.newMember(org.id, { email: 'rival@org.test', superuser: true });
    const results = await Promise.allSettled([
      update(org.admin, second, { isSuperuser: false }),
      update(second, org.admin, { isSuperuser: false }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as { code?: string }).code] : [],
    );
    expect(refused).toEqual(['last_superuser']);
    expect(await superusers(org.id)).toHaveLength(1);
  });

  it('two superusers deactivating each other at once: exactly one succeeds, one remains', async () => {
    const org = await s.newOrganization();
    const second = await s.newMember(org.id, { email: 'leaver@org.test', superuser: true });
    const results = await Promise.allSettled([
      update(org.admin, second, { isActive: false }),
      update(second, org.admin, { isActive: false }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as { code?: string }).code] : [],
    );
    expect(refused).toEqual(['last_superuser']);
    expect(await superusers(org.id)).toHaveLength(1);
    expect(await auditedChanges(org.id)).toBe(1);
  });
});
