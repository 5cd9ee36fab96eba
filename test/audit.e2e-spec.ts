import { randomUUID } from 'node:crypto';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { AuditAction } from '../src/audit/audit-action';
import { AuditService } from '../src/audit/audit.service';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { AuthMethod } from '../src/users/membership.entity';
import { NewMember, UsersService } from '../src/users/users.service';
import type { HttpClient, HttpResponse } from './support/http-client';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

interface EventView {
  id: string;
  occurredAt: string;
  action: string;
  actor: { userId: string | null; via: string; tokenId?: string };
  targetUserId: string | null;
  targetTokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}
interface Page {
  items: EventView[];
  nextCursor: string | null;
  /** Set on a problem answer. */
  code?: string;
}

const PASSWORD = 'member-password-123';
const WRONG_PASSWORD = 'wrong-password-never-stored';

describe('audit log (HTTP)', () => {
  let t: TestApp;
  let admin: HttpClient;
  let orgId: string;
  let adminId: string;
  let aliceId: string;

  /** Runs with the app's services in a request context of their own, like a request would. */
  const inContext = <T>(work: () => Promise<T>): Promise<T> =>
    RequestContext.create(t.app.get(MikroORM).em.fork(), work);

  const addMember = async (member: Omit<NewMember, 'organizationId'>): Promise<string> => {
    const created = await inContext(() =>
      t.app.get(UsersService).addMember({ organizationId: orgId, ...member }),
    );
    return created.user.id;
  };

  const login = async (
    client: HttpClient,
    email: string,
    password: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResponse> => {
    const response = await client.post('/api/v1/auth/login', { email, password }, headers);
    if (response.status === 200) client.csrfToken = String(response.body.csrfToken);
    return response;
  };

  const events = (client: HttpClient, query = '', org = orgId) =>
    client.get<Page>(`/api/v1/organizations/${org}/audit-events${query}`);

  const latest = async (query: string): Promise<EventView> => {
    const response = await events(admin, `?limit=1&${query}`);
    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(1);
    return response.body.items[0];
  };

  const countEvents = async (where = 'true', params: unknown[] = []): Promise<number> => {
    const { rows } = await t.db.sql.query<{ n: number }>(
      `select count(*)::int as n from audit_event where ${where}`,
      params,
    );
    return rows[0].n;
  };

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_LIMIT_PER_MINUTE: '1000' });
    admin = await t.admin();
    const me = await admin.get<{ user: { id: string }; organization: { id: string } }>(
      '/api/v1/me',
    );
    orgId = me.body.organization.id;
    adminId = me.body.user.id;
    aliceId = await addMember({
      email: 'alice@example.test',
      authMethod: AuthMethod.Password,
      password: PASSWORD,
    });
  });
  afterAll(() => t.close());

  describe('auth events', () => {
    const headers = (requestId: string) => ({
      'x-request-id': requestId,
      'user-agent': 'audit-test/1.0',
    });

    it('records a successful login with the caller, IP, user agent and request id', async () => {
      const alice = t.client();
      expect(
        (await login(alice, 'alice@example.test', PASSWORD, headers('req-login-ok'))).status,
      ).toBe(200);
      const event = await latest(`action=auth.login.succeeded&actor=${aliceId}`);
      expect(Object.keys(event).sort()).toEqual(
        [
          'action',
          'actor',
          'id',
          'ip',
          'metadata',
          'occurredAt',
          'requestId',
          'targetTokenId',
          'targetUserId',
          'userAgent',
        ].sort(),
      );
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(event).toMatchObject({
        action: 'auth.login.succeeded',
        targetUserId: aliceId,
        targetTokenId: null,
        ip: '127.0.0.1',
        userAgent: 'audit-test/1.0',
        requestId: 'req-login-ok',
        metadata: {},
      });
      // No tokenId key at all for a session actor.
      expect(event.actor).toStrictEqual({ userId: aliceId, via: 'session' });
    });

    it('records a wrong password against the account, without the password, and still answers 400', async () => {
      const response = await login(
        t.client(),
        'Alice@Example.test',
        WRONG_PASSWORD,
        headers('req-login-bad'),
      );
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_credentials');
      const event = await latest(`action=auth.login.failed&targetUser=${aliceId}`);
      expect(event).toMatchObject({
        actor: { userId: null, via: 'system' },
        targetUserId: aliceId,
        ip: '127.0.0.1',
        userAgent: 'audit-test/1.0',
        requestId: 'req-login-bad',
        metadata: { reason: 'bad_password', email: 'alice@example.test' },
      });
      const { rows } = await t.db.sql.query('select * from audit_event');
      expect(JSON.stringify(rows)).not.toContain(WRONG_PASSWORD);
    });

    it('records nothing for an unknown email: it belongs to no organization', async () => {
      const before = await countEvents();
      const response = await login(t.client(), 'nobody@example.test', WRONG_PASSWORD);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_credentials');
      expect(await countEvents()).toBe(before);
    });

    it('records a deactivated account and an SSO account trying a password', async () => {
      const daveId = await addMember({
        email: 'dave@example.test',
        authMethod: AuthMethod.Password,
        password: PASSWORD,
      });
      await t.db.sql.query('update membership set is_active = false where user_id = $1', [daveId]);
      expect((await login(t.client(), 'dave@example.test', PASSWORD)).status).toBe(403);
      expect(await latest(`action=auth.login.failed&targetUser=${daveId}`)).toMatchObject({
        metadata: { reason: 'deactivated', email: 'dave@example.test' },
      });

      const ssoId = await addMember({ email: 'sso@example.test', authMethod: AuthMethod.Sso });
      const sso = await login(t.client(), 'sso@example.test', WRONG_PASSWORD);
      expect(sso.body.code).toBe('sso_required');
      expect(await latest(`action=auth.login.failed&targetUser=${ssoId}`)).toMatchObject({
        actor: { userId: null, via: 'system' },
        metadata: { reason: 'sso_account', email: 'sso@example.test' },
      });
    });

    it('records re-authentication (not a failed one) and logout', async () => {
      const alice = t.client();
      await login(alice, 'alice@example.test', PASSWORD);
      const reauthsBefore = await countEvents(`action = 'auth.reauthenticated'`);
      const wrong = await alice.post(
        '/api/v1/auth/reauthenticate',
        { password: WRONG_PASSWORD },
        headers('req-reauth-bad'),
      );
      expect(wrong.status).toBe(400);
      expect(await countEvents(`action = 'auth.reauthenticated'`)).toBe(reauthsBefore);

      const reauth = await alice.post(
        '/api/v1/auth/reauthenticate',
        { password: PASSWORD },
        headers('req-reauth'),
      );
      expect(reauth.status).toBe(200);
      expect(await latest(`action=auth.reauthenticated&actor=${aliceId}`)).toMatchObject({
        actor: { userId: aliceId, via: 'session' },
        targetUserId: aliceId,
        userAgent: 'audit-test/1.0',
        requestId: 'req-reauth',
      });

      const logout = await alice.post('/api/v1/auth/logout', undefined, headers('req-logout'));
      expect(logout.status).toBe(204);
      expect(await latest(`action=auth.logout&actor=${aliceId}`)).toMatchObject({
        actor: { userId: aliceId, via: 'session' },
        targetUserId: aliceId,
        ip: '127.0.0.1',
        requestId: 'req-logout',
      });
    });
  });

  describe('AuditService.record', () => {
    const input = (requestId: string) => ({
      organizationId: orgId,
      action: AuditAction.MemberAdded,
      actor: { userId: adminId, via: 'session' as const },
      targetUserId: aliceId,
      meta: { ip: '10.0.0.1', userAgent: 'unit', requestId },
      metadata: { note: 'x', password: 'never-kept' },
    });

    it('writes inside the caller’s transaction: a rollback takes the event with it', async () => {
      const orm = t.app.get(MikroORM);
      const audit = t.app.get(AuditService);
      await inContext(async () => {
        await expect(
          orm.em.transactional(async () => {
            await audit.record(input('tx-rolled-back'));
            throw new Error('roll back');
          }),
        ).rejects.toThrow('roll back');
        await orm.em.transactional(() => audit.record(input('tx-committed')));
      });
      expect(await countEvents('request_id = $1', ['tx-rolled-back'])).toBe(0);
      expect(await countEvents('request_id = $1', ['tx-committed'])).toBe(1);
      const { rows } = await t.db.sql.query<{ metadata: unknown }>(
        'select metadata from audit_event where request_id = $1',
        ['tx-committed'],
      );
      expect(rows[0].metadata).toEqual({ note: 'x' });
    });

    it('flushes nothing but the event', async () => {
      await inContext(async () => {
        const member = await t.app.get(UsersService).findById(aliceId);
        if (!member) throw new Error('alice is missing');
        member.failedLoginCount = 999;
        await t.app.get(AuditService).record(input('no-side-flush'));
      });
      const { rows } = await t.db.sql.query<{ n: number }>(
        'select failed_login_count as n from membership where user_id = $1',
        [aliceId],
      );
      expect(rows[0].n).not.toBe(999);
      expect(await countEvents('request_id = $1', ['no-side-flush'])).toBe(1);
    });
  });

  describe('GET /organizations/:orgId/audit-events', () => {
    let bobId: string;
    const FAILED_LOGINS = 4;
    const RECORDED = 80;
    const ABOUT_BOB = FAILED_LOGINS + RECORDED;

    beforeAll(async () => {
      bobId = await addMember({
        email: 'bob@example.test',
        authMethod: AuthMethod.Password,
        password: PASSWORD,
      });
      for (let i = 0; i < FAILED_LOGINS; i += 1) {
        const response = await login(t.client(), 'bob@example.test', WRONG_PASSWORD);
        expect(response.status).toBe(400);
      }
      // The rest through the service: each failed login costs a password hash.
      await inContext(async () => {
        for (let i = 0; i < RECORDED; i += 1) {
          await t.app.get(AuditService).record({
            organizationId: orgId,
            action: i % 2 ? AuditAction.PermissionWithdrawn : AuditAction.PermissionGranted,
            actor: { userId: adminId, via: 'session' },
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
          [randomUUID(), at, orgId, adminId],
        );
      }
    });

    it('walks every page newest first, without duplicates or gaps, stable on equal times', async () => {
      const { rows } = await t.db.sql.query<{ id: string }>(
        'select id from audit_event where organization_id = $1 order by occurred_at desc, id desc',
        [orgId],
      );
      expect(rows.length).toBeGreaterThan(100);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const response: HttpResponse<Page> = await events(admin, query);
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
      const first = await events(admin, `?targetUser=${bobId}`);
      expect(first.body.items).toHaveLength(50);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await events(admin, `?targetUser=${bobId}&cursor=${first.body.nextCursor}`);
      expect(second.body.items).toHaveLength(ABOUT_BOB - 50);
      expect(second.body.nextCursor).toBeNull();
      const all = [...first.body.items, ...second.body.items];
      expect(all.every((item) => item.targetUserId === bobId)).toBe(true);
      const times = all.map((item) => item.occurredAt);
      expect([...times].sort().reverse()).toEqual(times);
    });

    it('filters by actor, target user and action', async () => {
      const byActor = await events(admin, `?actor=${aliceId}&limit=100`);
      expect(byActor.body.items.length).toBeGreaterThan(0);
      expect(byActor.body.items.every((item) => item.actor.userId === aliceId)).toBe(true);

      const byTarget = await events(admin, `?targetUser=${aliceId}&limit=100`);
      expect(byTarget.body.items.map((item) => item.action)).toEqual(
        expect.arrayContaining(['auth.login.failed', 'auth.login.succeeded', 'member.added']),
      );
      expect(byTarget.body.items.every((item) => item.targetUserId === aliceId)).toBe(true);

      const byAction = await events(admin, '?action=auth.logout&limit=100');
      expect(byAction.body.items.length).toBeGreaterThan(0);
      expect(byAction.body.items.every((item) => item.action === 'auth.logout')).toBe(true);

      const combined = await events(
        admin,
        `?action=auth.login.failed&targetUser=${bobId}&limit=100`,
      );
      expect(combined.body.items).toHaveLength(FAILED_LOGINS);
      for (const item of combined.body.items) {
        expect(item).toMatchObject({ action: 'auth.login.failed', targetUserId: bobId });
      }
      const nobody = await events(admin, `?actor=${randomUUID()}`);
      expect(nobody.body).toEqual({ items: [], nextCursor: null });
    });

    it('filters by time: from is inclusive, to is exclusive', async () => {
      const all = (await events(admin, `?targetUser=${bobId}&limit=100`)).body.items;
      const pivot = all[20];
      const from = await events(admin, `?targetUser=${bobId}&limit=100&from=${pivot.occurredAt}`);
      const to = await events(admin, `?targetUser=${bobId}&limit=100&to=${pivot.occurredAt}`);
      expect(from.status).toBe(200);
      expect(from.body.items.map((item) => item.id)).toContain(pivot.id);
      expect(to.body.items.map((item) => item.id)).not.toContain(pivot.id);
      expect(from.body.items.every((item) => item.occurredAt >= pivot.occurredAt)).toBe(true);
      expect(to.body.items.every((item) => item.occurredAt < pivot.occurredAt)).toBe(true);
      expect(from.body.items.length + to.body.items.length).toBe(all.length);

      const offset = encodeURIComponent('2000-01-01T02:00:00+02:00');
      expect(
        (await events(admin, `?targetUser=${bobId}&limit=100&from=${offset}`)).body.items,
      ).toHaveLength(all.length);
      expect((await events(admin, `?targetUser=${bobId}&to=2000-01-01`)).body.items).toHaveLength(
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
      const response = await events(admin, `?${query}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
    });

    it('accepts the limit bounds 1 and 100', async () => {
      expect((await events(admin, '?limit=1')).body.items).toHaveLength(1);
      const total = await countEvents('organization_id = $1', [orgId]);
      expect(total).toBeGreaterThan(100);
      const page = await events(admin, '?limit=100');
      expect(page.body.items).toHaveLength(100);
      expect(page.body.nextCursor).toEqual(expect.any(String));
    });

    it('403 superuser_required for a member who is not a superuser', async () => {
      const alice = t.client();
      await login(alice, 'alice@example.test', PASSWORD);
      const response = await events(alice);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('superuser_required');
    });

    it('401 without credentials', async () => {
      expect((await events(t.client())).status).toBe(401);
    });

    it('404 for another organization, even one that exists; each superuser sees only their own', async () => {
      const other = await inContext(() =>
        t.app.get(OrganizationsService).createWithAdmin({
          name: 'Other Org',
          adminEmail: 'other-admin@example.test',
          adminPassword: ADMIN_PASSWORD,
        }),
      );
      const otherOrgId = other.organization.id;
      for (const org of [otherOrgId, randomUUID(), 'not-a-uuid']) {
        const response = await events(admin, '', org);
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('organization_not_found');
      }
      const otherAdmin = t.client();
      expect((await login(otherAdmin, 'other-admin@example.test', ADMIN_PASSWORD)).status).toBe(
        200,
      );
      expect((await events(otherAdmin, '', orgId)).status).toBe(404);
      const own = await events(otherAdmin, '?limit=100', otherOrgId);
      expect(own.body.items.map((item) => item.action)).toEqual(['auth.login.succeeded']);
      expect(await countEvents('organization_id = $1', [orgId])).toBeGreaterThan(80);
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

  describe('the database keeps the log append-only', () => {
    it.each([
      [`update audit_event set action = 'auth.logout'`],
      [`update audit_event set metadata = '{}' where organization_id = '${randomUUID()}' or true`],
      ['delete from audit_event'],
      ['truncate audit_event'],
      ['truncate audit_event cascade'],
    ])('refuses %s', async (statement) => {
      const before = await countEvents();
      expect(before).toBeGreaterThan(0);
      await expect(t.db.sql.query(statement)).rejects.toThrow(/append-only/);
      expect(await countEvents()).toBe(before);
      expect(await countEvents(`action = 'auth.logout'`)).toBeLessThan(before);
    });

    it('accepts exactly the documented actions', async () => {
      await t.db.sql.query('begin');
      try {
        for (const action of Object.values(AuditAction)) {
          await t.db.sql.query(
            `insert into audit_event (id, organization_id, action, actor_via) values ($1, $2, $3, 'system')`,
            [randomUUID(), orgId, action],
          );
        }
        await expect(
          t.db.sql.query(
            `insert into audit_event (id, organization_id, action, actor_via) values ($1, $2, 'token.exploded', 'system')`,
            [randomUUID(), orgId],
          ),
        ).rejects.toThrow(/check constraint/);
      } finally {
        await t.db.sql.query('rollback');
      }
    });
  });
});
