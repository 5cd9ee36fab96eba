import { bearer, expectProblem, useTestContext } from './support/context';
import { addMember, PASSWORD, signIn } from './support/fixtures';
import type { HttpClient } from './support/http-client';

interface Member {
  id: string;
  email: string;
  permissions: string[];
  isSuperuser: boolean;
  isActive: boolean;
  activeTokenCount: number;
  authMethod: string;
  lastLoginAt: string | null;
  failedLoginCount: number;
}

describe('the Team and permissions (SPEC §1, §5)', () => {
  const t = useTestContext({
    TOKEN_CREATE_LIMIT_PER_MINUTE: '1000',
    TOKEN_CREATE_LIMIT_PER_HOUR: '1000',
    LOGIN_LIMIT_PER_MINUTE: '1000',
  });
  let dev: { id: string; email: string };

  // Members added through the service: "adds members" counts the additions audited by the API.
  beforeAll(async () => {
    dev = await addMember(t, { email: 'dev@example.test' });
  });

  const members = () => t.orgPath('/members');
  const patch = (client: HttpClient, userId: string, body: unknown) =>
    client.request<Member & { code?: string }>('PATCH', `${members()}/${userId}`, { body });

  it('lists the Team with the SPEC columns', async () => {
    const devClient = await signIn(t, dev.email);
    await t.newToken(devClient, { name: 'one' });
    await t.client().login(dev.email, 'wrong-password-x');
    const response = await t.admin.get<{ items: Member[]; nextCursor: string | null }>(members());
    expect(response.status).toBe(200);
    const item = response.body.items.find((m) => m.id === dev.id);
    expect(item).toEqual({
      id: dev.id,
      email: dev.email,
      name: 'dev',
      isActive: true,
      isSuperuser: false,
      permissions: ['api_tokens.manage'],
      authMethod: 'password',
      lastLoginAt: expect.any(String),
      failedLoginCount: 1,
      activeTokenCount: 1,
    });
  });

  it('withdraw → tokens 401 at once, profile 403, rows kept; grant → they work again', async () => {
    const devClient = await signIn(t, dev.email);
    const token = await t.newToken(devClient, { name: 'ci' });
    const revokedMeanwhile = await t.newToken(devClient, { name: 'revoked-meanwhile' });
    expect((await t.client().get('/api/v1/me', bearer(token.secret))).status).toBe(200);

    const withdrawn = await patch(t.admin, dev.id, { permissions: { 'api_tokens.manage': false } });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.permissions).toEqual([]);
    expect((await t.client().get('/api/v1/me', bearer(token.secret))).status).toBe(401);
    const profile = await devClient.get('/api/v1/profile/tokens');
    expectProblem(profile, 403, 'permission_denied');
    const { rows } = await t.db.sql.query(
      'select count(*)::int as n from api_token where user_id = $1 and revoked_at is null',
      [dev.id],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
    const orgList = await t.admin.get<{ items: { id: string; blocked: boolean }[] }>(
      t.orgPath('/tokens?limit=100'),
    );
    expect(orgList.body.items.find((i) => i.id === token.id)?.blocked).toBe(true);

    // A superuser revokes one while the permission is withdrawn: it stays dead.
    expect(
      (await t.admin.request('DELETE', t.orgPath(`/tokens/${revokedMeanwhile.id}`))).status,
    ).toBe(204);

    const granted = await patch(t.admin, dev.id, { permissions: { 'api_tokens.manage': true } });
    expect(granted.body.permissions).toEqual(['api_tokens.manage']);
    expect((await t.client().get('/api/v1/me', bearer(token.secret))).status).toBe(200);
    expect((await t.client().get('/api/v1/me', bearer(revokedMeanwhile.secret))).status).toBe(401);

    const { rows: events } = await t.db.sql.query(
      `select action from audit_event where target_user_id = $1 and action like 'permission.%' order by occurred_at`,
      [dev.id],
    );
    expect(events.map((e) => e.action)).toEqual(['permission.withdrawn', 'permission.granted']);
  });

  it('deactivating blocks the tokens and ends the sessions; reactivating restores the tokens', async () => {
    const member = await addMember(t, { email: 'leaver@example.test' });
    const client = await signIn(t, member.email);
    const token = await t.newToken(client, { name: 'leaver' });
    expect((await patch(t.admin, member.id, { isActive: false })).status).toBe(200);
    expect((await t.client().get('/api/v1/me', bearer(token.secret))).status).toBe(401);
    expect((await client.get('/api/v1/me')).status).toBe(401);
    expect((await t.client().login(member.email, PASSWORD)).status).toBe(403);
    expect((await patch(t.admin, member.id, { isActive: true })).status).toBe(200);
    expect((await t.client().get('/api/v1/me', bearer(token.secret))).status).toBe(200);
  });

  it('keeps the last active superuser (409 last_superuser), allows it once another exists', async () => {
    for (const body of [{ isSuperuser: false }, { isActive: false }]) {
      const response = await patch(t.admin, t.adminId, body);
      expectProblem(response, 409, 'last_superuser');
    }
    const second = await addMember(t, { email: 'second@example.test', superuser: true });
    const demoted = await patch(t.admin, second.id, { isSuperuser: false });
    expect(demoted.status).toBe(200);
    expect((await patch(t.admin, second.id, { isSuperuser: true })).status).toBe(200);
    const secondClient = await signIn(t, second.email);
    // Two superusers demoting each other at once: one must remain.
    const [a, b] = await Promise.all([
      patch(t.admin, second.id, { isSuperuser: false }),
      patch(secondClient, t.adminId, { isSuperuser: false }),
    ]);
    // One wins; the other is refused, by the lock (409) or, if it arrives after the winner
    // committed, because its caller is no longer a superuser (403).
    expect([a.status, b.status].filter((status) => status === 200)).toHaveLength(1);
    expect([403, 409]).toContain([a.status, b.status].filter((status) => status !== 200)[0]);
    const { rows } = await t.db.sql.query(
      'select count(*)::int as n from membership where organization_id = $1 and is_superuser and is_active',
      [t.org.id],
    );
    expect(rows[0].n).toBe(1);
    if (b.status === 200) {
      // The admin was demoted: make them superuser again for the following tests.
      expect((await patch(secondClient, t.adminId, { isSuperuser: true })).status).toBe(200);
    }
  });

  it('adds members: password with an initial password, SSO without one', async () => {
    const added = await t.admin.post<Member>(members(), {
      email: 'New.Person@Example.test',
      name: 'New Person',
      authMethod: 'password',
      password: 'initial-password-1',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      email: 'new.person@example.test',
      permissions: [],
      activeTokenCount: 0,
    });
    expect((await t.client().login('new.person@example.test', 'initial-password-1')).status).toBe(
      200,
    );
    const sso = await t.admin.post<Member>(members(), {
      email: 'sso.person@example.test',
      name: 'SSO',
      authMethod: 'sso',
    });
    expect(sso.status).toBe(201);
    expect(sso.body.authMethod).toBe('sso');
    const refused = [
      await t.admin.post(members(), { email: 'a@example.test', name: 'A', authMethod: 'password' }),
      await t.admin.post(members(), {
        email: 'b@example.test',
        name: 'B',
        authMethod: 'sso',
        password: 'initial-password-1',
      }),
      await t.admin.post(members(), {
        email: 'c@example.test',
        name: 'C',
        authMethod: 'password',
        password: 'short',
      }),
      await t.admin.post(members(), {
        email: 'new.person@example.test',
        name: 'Dup',
        authMethod: 'sso',
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 409]);
    const { rows } = await t.db.sql.query(
      `select count(*)::int as n from audit_event where action = 'member.added' and actor_user_id = $1`,
      [t.adminId],
    );
    expect(rows[0].n).toBe(2);
  });

  it('switches a member between password and SSO sign-in', async () => {
    const member = await addMember(t, { email: 'switch@example.test' });
    const client = await signIn(t, member.email);
    const toSso = await patch(t.admin, member.id, { authMethod: 'sso' });
    expect(toSso.status).toBe(200);
    expect(toSso.body.authMethod).toBe('sso');
    expect((await client.get('/api/v1/me')).status).toBe(401);
    expect((await t.client().login(member.email, PASSWORD)).body.code).toBe('sso_required');
    const { rows } = await t.db.sql.query('select password_hash from app_user where id = $1', [
      member.id,
    ]);
    expect(rows[0].password_hash).toBeNull();
    expect((await patch(t.admin, member.id, { authMethod: 'password' })).status).toBe(400);
    expect((await patch(t.admin, member.id, { password: 'a-new-password-1' })).status).toBe(400);
    const back = await patch(t.admin, member.id, {
      authMethod: 'password',
      password: 'a-new-password-1',
    });
    expect(back.status).toBe(200);
    expect((await t.client().login(member.email, 'a-new-password-1')).status).toBe(200);
    const events = await t.db.sql.query(
      `select metadata->>'authMethod' as method from audit_event where action = 'member.auth_method_changed' and target_user_id = $1 order by occurred_at`,
      [member.id],
    );
    expect(events.rows.map((r) => r.method)).toEqual(['sso', 'password']);
  });

  it('refuses bad PATCH bodies and unknown members', async () => {
    expect((await patch(t.admin, dev.id, { permissions: { 'everything.all': true } })).status).toBe(
      400,
    );
    expect((await patch(t.admin, dev.id, { isSuperuser: 'yes' })).status).toBe(400);
    expect((await patch(t.admin, dev.id, { role: 'owner' })).status).toBe(400);
    expect(
      (await patch(t.admin, '00000000-0000-4000-8000-000000000000', { isActive: true })).status,
    ).toBe(404);
    expect((await patch(t.admin, 'nope', { isActive: true })).status).toBe(404);
  });

  it('lets a superuser token read the Team and the token list, but change nothing', async () => {
    const token = await t.newToken(t.admin, { name: 'admin-script' });
    expect((await t.client().get(members(), bearer(token.secret))).status).toBe(200);
    expect((await t.client().get(t.orgPath('/tokens'), bearer(token.secret))).status).toBe(200);
    expect((await t.client().get(t.orgPath('/audit-events'), bearer(token.secret))).status).toBe(
      200,
    );
    const changes = [
      await t.client().request('PATCH', `${members()}/${dev.id}`, {
        body: { isActive: false },
        headers: bearer(token.secret),
      }),
      await t.client().request('POST', members(), {
        body: { email: 'x@example.test', name: 'X', authMethod: 'sso' },
        headers: bearer(token.secret),
      }),
      await t.client().request('DELETE', t.orgPath(`/tokens/${token.id}`), {
        headers: bearer(token.secret),
      }),
    ];
    for (const response of changes) {
      expectProblem(response, 403, 'token_not_allowed');
    }
  });

  it('answers 403 superuser_required to a member on every Team and organization endpoint', async () => {
    const devClient = await signIn(t, dev.email);
    const responses = [
      await devClient.get(members()),
      await devClient.post(members(), { email: 'y@example.test', name: 'Y', authMethod: 'sso' }),
      await devClient.request('PATCH', `${members()}/${dev.id}`, { body: { isSuperuser: true } }),
      await devClient.get(t.orgPath('/tokens')),
      await devClient.request('DELETE', t.orgPath('/tokens/00000000-0000-4000-8000-000000000000')),
      await devClient.get(t.orgPath('/audit-events')),
    ];
    for (const response of responses) {
      expectProblem(response, 403, 'superuser_required');
    }
  });

  it('revokes any token of the organization; the audit event names the superuser', async () => {
    const devClient = await signIn(t, dev.email);
    const token = await t.newToken(devClient, { name: 'org-revoke' });
    expect((await t.admin.request('DELETE', t.orgPath(`/tokens/${token.id}`))).status).toBe(204);
    expect((await t.client().get('/api/v1/me', bearer(token.secret))).status).toBe(401);
    const { rows } = await t.db.sql.query(
      `select actor_user_id, metadata from audit_event where action = 'token.revoked' and target_token_id = $1`,
      [token.id],
    );
    expect(rows).toEqual([
      { actor_user_id: t.adminId, metadata: expect.objectContaining({ by: 'superuser' }) },
    ]);
    expect((await t.admin.request('DELETE', t.orgPath(`/tokens/${token.id}`))).status).toBe(404);
  });
});
