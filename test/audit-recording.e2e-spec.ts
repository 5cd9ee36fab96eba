import { randomUUID } from 'node:crypto';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { AuditAction } from '../src/audit/audit-action';
import { AuditService } from '../src/audit/audit.service';
import { UsersService } from '../src/users/users.service';
import { countEvents, latestEvent, WRONG_PASSWORD } from './support/audit-log';
import { expectProblem, useTestContext } from './support/context';
import { addMember, PASSWORD } from './support/fixtures';

/** What the audit log records, and that nothing can change it afterwards. */
describe('audit log: what is recorded, and kept', () => {
  const t = useTestContext({ LOGIN_LIMIT_PER_MINUTE: '1000' });
  let aliceId: string;

  /** Runs with the app's services in a request context of their own, like a request would. */
  const inContext = <T>(work: () => Promise<T>): Promise<T> =>
    RequestContext.create(t.app.get(MikroORM).em.fork(), work);
  const latest = (query: string) => latestEvent(t, query);

  beforeAll(async () => {
    aliceId = (await addMember(t, { email: 'alice@example.test', permissions: [] })).id;
  });

  describe('auth events', () => {
    const headers = (requestId: string) => ({
      'x-request-id': requestId,
      'user-agent': 'audit-test/1.0',
    });

    it('records a successful login with the caller, IP, user agent and request id', async () => {
      const alice = t.client();
      expect(
        (await alice.login('alice@example.test', PASSWORD, headers('req-login-ok'))).status,
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
      const response = await t
        .client()
        .login('Alice@Example.test', WRONG_PASSWORD, headers('req-login-bad'));
      expectProblem(response, 400, 'invalid_credentials');
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
      const before = await countEvents(t);
      const response = await t.client().login('nobody@example.test', WRONG_PASSWORD);
      expectProblem(response, 400, 'invalid_credentials');
      expect(await countEvents(t)).toBe(before);
    });

    it('records a deactivated account and an SSO account trying a password', async () => {
      const daveId = (await addMember(t, { email: 'dave@example.test', permissions: [] })).id;
      await t.db.sql.query('update membership set is_active = false where user_id = $1', [daveId]);
      expect((await t.client().login('dave@example.test', PASSWORD)).status).toBe(403);
      expect(await latest(`action=auth.login.failed&targetUser=${daveId}`)).toMatchObject({
        metadata: { reason: 'deactivated', email: 'dave@example.test' },
      });

      const ssoId = (await addMember(t, { email: 'sso@example.test', sso: true, permissions: [] }))
        .id;
      const sso = await t.client().login('sso@example.test', WRONG_PASSWORD);
      expect(sso.body.code).toBe('sso_required');
      expect(await latest(`action=auth.login.failed&targetUser=${ssoId}`)).toMatchObject({
        actor: { userId: null, via: 'system' },
        metadata: { reason: 'sso_account', email: 'sso@example.test' },
      });
    });

    it('records re-authentication (not a failed one) and logout', async () => {
      const alice = t.client();
      await alice.login('alice@example.test', PASSWORD);
      const reauths = () => countEvents(t, `action = 'auth.reauthenticated'`);
      const reauthsBefore = await reauths();
      const wrong = await alice.post(
        '/api/v1/auth/reauthenticate',
        { password: WRONG_PASSWORD },
        headers('req-reauth-bad'),
      );
      expect(wrong.status).toBe(400);
      expect(await reauths()).toBe(reauthsBefore);

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
      organizationId: t.org.id,
      action: AuditAction.MemberAdded,
      actor: { userId: t.adminId, via: 'session' as const },
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
      expect(await countEvents(t, 'request_id = $1', ['tx-rolled-back'])).toBe(0);
      expect(await countEvents(t, 'request_id = $1', ['tx-committed'])).toBe(1);
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
      expect(await countEvents(t, 'request_id = $1', ['no-side-flush'])).toBe(1);
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
      const before = await countEvents(t);
      expect(before).toBeGreaterThan(0);
      await expect(t.db.sql.query(statement)).rejects.toThrow(/append-only/);
      expect(await countEvents(t)).toBe(before);
      expect(await countEvents(t, `action = 'auth.logout'`)).toBeLessThan(before);
    });

    it('accepts exactly the documented actions', async () => {
      await t.db.sql.query('begin');
      try {
        for (const action of Object.values(AuditAction)) {
          await t.db.sql.query(
            `insert into audit_event (id, organization_id, action, actor_via) values ($1, $2, $3, 'system')`,
            [randomUUID(), t.org.id, action],
          );
        }
        await expect(
          t.db.sql.query(
            `insert into audit_event (id, organization_id, action, actor_via) values ($1, $2, 'token.exploded', 'system')`,
            [randomUUID(), t.org.id],
          ),
        ).rejects.toThrow(/check constraint/);
      } finally {
        await t.db.sql.query('rollback');
      }
    });
  });
});
