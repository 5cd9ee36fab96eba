import { randomUUID } from 'node:crypto';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { AuditAction } from '../src/audit/audit-action';
import { AuditService } from '../src/audit/audit.service';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { auditEvents, countEvents, EventPage, WRONG_PASSWORD } from './support/audit-log';
import { expectProblem, SignedInMember, useTestContext } from './support/context';
import { addMember, signIn } from './support/fixtures';
import type { HttpClient, HttpResponse } from './support/http-client';
import { ADMIN_PASSWORD } from './support/test-app';

/** `GET /organizations/{orgId}/audit-events`: paging, filters, validation, who may read it. */
describe('audit log API: GET /organizations/:orgId/audit-events', () => {
  const t = useTestContext({ LOGIN_LIMIT_PER_MINUTE: '1000' });
  let alice: SignedInMember;
  let bobId: string;
  const FAILED_LOGINS = 4;
  const RECORDED = 80;
  const ABOUT_BOB = FAILED_LOGINS + RECORDED;

  const events = (client: HttpClient, query = '', org?: string) =>
    auditEvents(t, client, query, org);

  beforeAll(async () => {
    // Alice: added through the Team API (member.added), signed in, a failed login, signed out.
    alice = await t.newMember({ email: 'alice@example.test', permissions: [] });
    expect((await t.client().login(alice.email, WRONG_PASSWORD)).status).toBe(400);
    expect((await alice.client.post('/api/v1/auth/logout')).status).toBe(204);
    // Bob: added through the service (no event), so that every event about him is counted below.
    bobId = (await addMember(t, { email: 'bob@example.test', permissions: [] })).id;
    for (let i = 0; i < FAILED_LOGINS; i += 1) {
      const response = await t.client().login('bob@example.test', WRONG_PASSWORD);
      expect(response.status).toBe(400);
    }
    // The rest through the service: each failed login costs a password hash.
    await RequestContext.create(t.app.get(MikroORM).em.fork(), async () => {
      for (let i = 0; i < RECORDED; i += 1) {
        await t.app.get(AuditService).record({
          organizationId: t.org.id,
          action: i % 2 ? AuditAction.PermissionWithdrawn : AuditAction.PermissionGranted,
          actor: { userId: t.adminId, via: 'session' },
          targetUserId: bobId,
          meta: { ip: '127.0.0.1', userAgent: 'seed', requestId: `seed-${i}` },
          metadata: { permission: 'api_tokens.manage' },
        });
      }
    });
    // Ten events sharing one instant: the order and the pages must still be stable.
    const at = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 10; i += 1) {
      await t.db.sql.query(
        `insert into audit_event (id, occurred_at, organization_id, action, actor_user_id, actor_via)
         values ($1, $2, $3, 'member.added', $4, 'session')`,
        [randomUUID(), at, t.org.id, t.adminId],
      );
    }
  });

  it('walks every page newest first, without duplicates or gaps, stable on equal times', async () => {
    const { rows } = await t.db.sql.query<{ id: string }>(
      'select id from audit_event where organization_id = $1 order by occurred_at desc, id desc',
      [t.org.id],
    );
    expect(rows.length).toBeGreaterThan(100);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const response: HttpResponse<EventPage> = await events(t.admin, query);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...response.body.items.map((item) => item.id));
      cursor = response.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(rows.map((row) => row.id));
  });

  it('pages a filtered list too, and defaults to 50 items', async () => {
    const first = await events(t.admin, `?targetUser=${bobId}`);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await events(t.admin, `?targetUser=${bobId}&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(ABOUT_BOB - 50);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(all.every((item) => item.targetUserId === bobId)).toBe(true);
    const times = all.map((item) => item.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by actor, target user and action', async () => {
    const byActor = await events(t.admin, `?actor=${alice.id}&limit=100`);
    expect(byActor.body.items.length).toBeGreaterThan(0);
    expect(byActor.body.items.every((item) => item.actor.userId === alice.id)).toBe(true);

    const byTarget = await events(t.admin, `?targetUser=${alice.id}&limit=100`);
    expect(byTarget.body.items.map((item) => item.action)).toEqual(
      expect.arrayContaining(['auth.login.failed', 'auth.login.succeeded', 'member.added']),
    );
    expect(byTarget.body.items.every((item) => item.targetUserId === alice.id)).toBe(true);

    const byAction = await events(t.admin, '?action=auth.logout&limit=100');
    expect(byAction.body.items.length).toBeGreaterThan(0);
    expect(byAction.body.items.every((item) => item.action === 'auth.logout')).toBe(true);

    const combined = await events(
      t.admin,
      `?action=auth.login.failed&targetUser=${bobId}&limit=100`,
    );
    expect(combined.body.items).toHaveLength(FAILED_LOGINS);
    for (const item of combined.body.items) {
      expect(item).toMatchObject({ action: 'auth.login.failed', targetUserId: bobId });
    }
    const nobody = await events(t.admin, `?actor=${randomUUID()}`);
    expect(nobody.body).toEqual({ items: [], nextCursor: null });
  });

  it('filters by time: from is inclusive, to is exclusive', async () => {
    const about = `?targetUser=${bobId}&limit=100`;
    const all = (await events(t.admin, about)).body.items;
    const pivot = all[20];
    const from = await events(t.admin, `${about}&from=${pivot.occurredAt}`);
    const to = await events(t.admin, `${about}&to=${pivot.occurredAt}`);
    expect(from.status).toBe(200);
    expect(from.body.items.map((item) => item.id)).toContain(pivot.id);
    expect(to.body.items.map((item) => item.id)).not.toContain(pivot.id);
    expect(from.body.items.every((item) => item.occurredAt >= pivot.occurredAt)).toBe(true);
    expect(to.body.items.every((item) => item.occurredAt < pivot.occurredAt)).toBe(true);
    expect(from.body.items.length + to.body.items.length).toBe(all.length);

    const offset = encodeURIComponent('2000-01-01T02:00:00+02:00');
    expect((await events(t.admin, `${about}&from=${offset}`)).body.items).toHaveLength(all.length);
    expect((await events(t.admin, `?targetUser=${bobId}&to=2000-01-01`)).body.items).toHaveLength(
      0,
    );
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['limit=ten'],
    ['limit=1.5'],
    ['action=token.exploded'],
    ['actor=not-a-uuid'],
    ['targetUser=1'],
    ['from=yesterday'],
    ['from=2026-11-23T10:00:00'],
    ['to=2026-13-01'],
    ['cursor=not-a-cursor'],
    [`cursor=${Buffer.from('["2026-11-23T10:00:00.000Z","x"]').toString('base64url')}`],
    ['unknown=1'],
  ])('400 for %s', async (query) => {
    expectProblem(await events(t.admin, `?${query}`), 400, 'validation_failed');
  });

  it('accepts the limit bounds 1 and 100', async () => {
    expect((await events(t.admin, '?limit=1')).body.items).toHaveLength(1);
    const total = await countEvents(t, 'organization_id = $1', [t.org.id]);
    expect(total).toBeGreaterThan(100);
    const page = await events(t.admin, '?limit=100');
    expect(page.body.items).toHaveLength(100);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it('403 superuser_required for a member who is not a superuser', async () => {
    const member = await signIn(t, alice.email);
    expectProblem(await events(member), 403, 'superuser_required');
  });

  it('401 without credentials', async () => {
    expect((await events(t.client())).status).toBe(401);
  });

  it('404 for another organization, even one that exists; each superuser sees only their own', async () => {
    const other = await RequestContext.create(t.app.get(MikroORM).em.fork(), () =>
      t.app.get(OrganizationsService).createWithAdmin({
        name: 'Other Org',
        adminEmail: 'other-admin@example.test',
        adminPassword: ADMIN_PASSWORD,
      }),
    );
    const otherOrgId = other.organization.id;
    for (const org of [otherOrgId, randomUUID(), 'not-a-uuid']) {
      expectProblem(await events(t.admin, '', org), 404, 'organization_not_found');
    }
    const otherAdmin = await signIn(t, 'other-admin@example.test', ADMIN_PASSWORD);
    expect((await events(otherAdmin, '', t.org.id)).status).toBe(404);
    const own = await events(otherAdmin, '?limit=100', otherOrgId);
    expect(own.body.items.map((item) => item.action)).toEqual(['auth.login.succeeded']);
    expect(await countEvents(t, 'organization_id = $1', [t.org.id])).toBeGreaterThan(80);
  });

  it('is in the OpenAPI document with its filters', async () => {
    const doc = await t.client().get<{
      paths: Record<string, { get?: { parameters: { name: string }[] } }>;
    }>('/api/docs-json');
    const operation = doc.body.paths['/api/v1/organizations/{orgId}/audit-events']?.get;
    expect(operation?.parameters.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining([
        'orgId',
        'actor',
        'targetUser',
        'action',
        'from',
        'to',
        'limit',
        'cursor',
      ]),
    );
  });
});
