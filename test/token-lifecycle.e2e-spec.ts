import { bearer, expectProblem, useTestContext } from './support/context';
import { eventually } from './support/fixtures';
import type { HttpClient } from './support/http-client';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

interface TokenItem {
  id: string;
  name: string;
  preview: string;
  expiresAt: string | null;
  access: string;
  revokedAt: string | null;
  revokedBy: { kind: string; userId?: string; name?: string } | null;
  expiredAt: string | null;
  rotatedFromId: string | null;
  rotatedToId: string | null;
}
interface Rotated {
  id: string;
  name: string;
  token: string;
  preview: string;
  expiresAt: string | null;
  access: string;
  rotatedFromId: string;
}

describe('token lifecycle (SPEC §2a)', () => {
  let smtp: SmtpSink;
  let dev: HttpClient;
  let devId: string;

  const mailsTo = (email: string, subject: RegExp) =>
    smtp.messages.filter(
      (m) => m.envelopeTo.includes(email) && subject.test(m.header('subject') ?? ''),
    );
  const list = async (client: HttpClient, state = 'active') => {
    const response = await client.get<{ items: TokenItem[] }>(
      `/api/v1/profile/tokens?state=${state}&limit=100`,
    );
    expect(response.status).toBe(200);
    return response.body.items;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(() => smtp.close());
  const t = useTestContext(() => ({
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    TOKEN_MAX_PER_USER: '3',
    TOKEN_CREATE_LIMIT_PER_MINUTE: '1000',
    TOKEN_CREATE_LIMIT_PER_HOUR: '1000',
    LOGIN_LIMIT_PER_MINUTE: '1000',
  }));
  beforeAll(async () => {
    ({ id: devId, client: dev } = await t.newMember({ email: 'dev@example.test' }));
  });

  it('rotates: 201 with a new token of the same name, the old one kept for the overlap', async () => {
    const old = await t.newToken(dev, { name: 'deploy', expiresInDays: 90 });
    const before = Date.now();
    const response = await dev.post<Rotated>(`/api/v1/profile/tokens/${old.id}/rotate`, {
      overlapMinutes: 30,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const rotated = response.body;
    expect(rotated).toMatchObject({ name: 'deploy', rotatedFromId: old.id, access: 'read_write' });
    expect(rotated.id).not.toBe(old.id);
    expect(rotated.token).not.toBe(old.secret);
    // The default lifetime for the new one (30 days), 30 minutes left for the old one.
    const items = await list(dev);
    const oldItem = items.find((i) => i.id === old.id) as TokenItem;
    const newItem = items.find((i) => i.id === rotated.id) as TokenItem;
    expect(oldItem.rotatedToId).toBe(rotated.id);
    expect(newItem.rotatedFromId).toBe(old.id);
    const overlapEnd = new Date(oldItem.expiresAt as string).getTime();
    expect(overlapEnd).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
    expect(overlapEnd).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1000);
    for (const raw of [old.secret, rotated.token]) {
      expect((await t.client().get('/api/v1/me', bearer(raw))).status).toBe(200);
    }
    const { rows } = await t.db.sql.query(
      `select action, actor_via, target_token_id, metadata from audit_event
       where action = 'token.rotated' and metadata->>'rotatedFromId' = $1`,
      [old.id],
    );
    expect(rows).toEqual([
      {
        action: 'token.rotated',
        actor_via: 'session',
        target_token_id: rotated.id,
        metadata: expect.objectContaining({ overlapMinutes: 30, preview: rotated.preview }),
      },
    ]);
    const mail = await eventually(() => mailsTo('dev@example.test', /rotated/)[0]);
    expect(mail.text).toContain('deploy');
    expect(mail.text).toContain(old.preview);
    expect(mail.text).toContain(rotated.preview);
    expect(mail.text).toContain('UTC');
    expect(mail.text).toContain('127.0.0.1');
    expect(mail.raw).not.toContain(rotated.token);
    expect(mail.raw).not.toContain(old.secret);
    expect(mailsTo('dev@example.test', /rotated/)).toHaveLength(1);
  });

  it('never shortens past the old expiry, and refuses revoked, expired or rotated tokens with 409', async () => {
    const short = await t.newToken(dev, { name: 'short', expiresInDays: 7 });
    const { rows } = await t.db.sql.query(
      `update api_token set expires_at = now() + interval '10 minutes' where id = $1 returning expires_at`,
      [short.id],
    );
    const rotated = await dev.post<Rotated>(`/api/v1/profile/tokens/${short.id}/rotate`, {
      overlapMinutes: 600,
    });
    expect(rotated.status).toBe(201);
    const oldItem = (await list(dev)).find((i) => i.id === short.id) as TokenItem;
    expect(new Date(oldItem.expiresAt as string).getTime()).toBe(
      new Date(rows[0].expires_at).getTime(),
    );
    const again = await dev.post(`/api/v1/profile/tokens/${short.id}/rotate`, {});
    expectProblem(again, 409, 'token_not_rotatable');

    await dev.request('DELETE', `/api/v1/profile/tokens/${rotated.body.id}`);
    const revoked = await dev.post(`/api/v1/profile/tokens/${rotated.body.id}/rotate`, {});
    expectProblem(revoked, 409, 'token_not_rotatable');

    const expired = await t.newToken(dev, { name: 'expired', expiresInDays: 7 });
    await t.db.sql.query(
      `update api_token set expires_at = now() - interval '1 second' where id = $1`,
      [expired.id],
    );
    const late = await dev.post(`/api/v1/profile/tokens/${expired.id}/rotate`, {});
    expectProblem(late, 409, 'token_not_rotatable');
  });

  it('validates the rotation body and answers 404 for unknown or foreign ids', async () => {
    const token = await t.newToken(dev, { name: 'validated', expiresInDays: 30 });
    for (const body of [
      { overlapMinutes: -1 },
      { overlapMinutes: 10081 },
      { overlapMinutes: 1.5 },
      { expiresInDays: 5 },
      { extra: 1 },
    ]) {
      const response = await dev.post(`/api/v1/profile/tokens/${token.id}/rotate`, body);
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 400]);
    }
    const adminToken = await t.newToken(t.admin, { name: 'admin-own', expiresInDays: 30 });
    for (const id of [adminToken.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const response = await dev.post(`/api/v1/profile/tokens/${id}/rotate`, {});
      expect([id, response.status, response.body.code]).toEqual([id, 404, 'token_not_found']);
    }
    const byToken = await t
      .client()
      .post(`/api/v1/profile/tokens/${token.id}/rotate`, {}, bearer(token.secret));
    expectProblem(byToken, 403, 'token_not_allowed');
    await dev.request('DELETE', `/api/v1/profile/tokens/${token.id}`);
  });

  it('never trips the per-user limit, and the name stays free only for the rotation', async () => {
    // Revoke what earlier tests left, then fill the limit of 3.
    await t.db.sql.query(
      `update api_token set revoked_at = now(), digest = null, revoked_by_kind = 'owner' where user_id = $1 and revoked_at is null`,
      [devId],
    );
    const full = [
      await t.newToken(dev, { name: 'a', expiresInDays: 30 }),
      await t.newToken(dev, { name: 'b', expiresInDays: 30 }),
      await t.newToken(dev, { name: 'c', expiresInDays: 30 }),
    ];
    const rotated = await dev.post<Rotated>(`/api/v1/profile/tokens/${full[0].id}/rotate`, {});
    expect(rotated.status).toBe(201);
    expect((await list(dev)).map((i) => i.name).sort()).toEqual(['a', 'a', 'b', 'c']);
    const fourth = await dev.post('/api/v1/profile/tokens', { name: 'd' });
    expectProblem(fourth, 409, 'token_limit_reached');
    await dev.request('DELETE', `/api/v1/profile/tokens/${full[2].id}`);
    const sameName = await dev.post('/api/v1/profile/tokens', { name: 'A' });
    expectProblem(sameName, 409, 'token_name_taken');
  });

  it('lists inactive tokens with revokedAt, revokedBy, expiredAt and the rotation links', async () => {
    const byOwner = await t.newToken(dev, { name: 'owner-revoked', expiresInDays: 30 });
    await dev.request('DELETE', `/api/v1/profile/tokens/${byOwner.id}`);
    const bySuperuser = await t.newToken(dev, { name: 'superuser-revoked', expiresInDays: 30 });
    await t.admin.request('DELETE', t.orgPath(`/tokens/${bySuperuser.id}`));
    const leaked = await t.newToken(dev, { name: 'leaked', expiresInDays: 30 });
    expect(
      (await t.client().post('/api/v1/token-leaks', { tokens: [leaked.secret] })).status,
    ).toBeLessThan(300);
    const outlived = await t.newToken(dev, { name: 'outlived', expiresInDays: 7 });
    const rotated = await dev.post<Rotated>(`/api/v1/profile/tokens/${outlived.id}/rotate`, {
      overlapMinutes: 0,
    });
    expect(rotated.status).toBe(201);
    expect((await t.client().get('/api/v1/me', bearer(outlived.secret))).status).toBe(401);

    const inactive = await list(dev, 'inactive');
    const byId = new Map(inactive.map((item) => [item.id, item]));
    expect(byId.get(byOwner.id)?.revokedBy).toEqual({ kind: 'owner', userId: devId });
    expect(byId.get(bySuperuser.id)?.revokedBy).toEqual({
      kind: 'superuser',
      userId: t.adminId,
      name: 'Administrator',
    });
    expect(byId.get(leaked.id)?.revokedBy).toEqual({ kind: 'leak_report' });
    for (const id of [byOwner.id, bySuperuser.id, leaked.id]) {
      expect(byId.get(id)?.revokedAt).toEqual(expect.any(String));
      expect(byId.get(id)?.expiredAt).toBeNull();
    }
    expect(byId.get(outlived.id)).toMatchObject({
      revokedAt: null,
      revokedBy: null,
      expiredAt: expect.any(String),
      rotatedToId: rotated.body.id,
    });
    const active = await list(dev, 'active');
    expect(active.some((item) => byId.has(item.id))).toBe(false);
    expect(active.find((item) => item.id === rotated.body.id)?.rotatedFromId).toBe(outlived.id);
    const all = await list(dev, 'all');
    expect(all.length).toBe(active.length + inactive.length);
    expect((await dev.get('/api/v1/profile/tokens?state=gone')).status).toBe(400);

    const org = await t.admin.get<{ items: (TokenItem & { owner: { id: string } })[] }>(
      t.orgPath('/tokens?state=inactive&limit=100'),
    );
    expect(org.status).toBe(200);
    expect(org.body.items.map((i) => i.id)).toEqual(expect.arrayContaining([...byId.keys()]));
    expect(org.body.items.every((i) => i.revokedAt !== null || i.expiredAt !== null)).toBe(true);
    const orgActive = await t.admin.get<{ items: TokenItem[] }>(t.orgPath('/tokens?limit=100'));
    expect(orgActive.body.items.some((i) => byId.has(i.id))).toBe(false);
  });

  it('creates read-only tokens, shows the access level in lists, /me and the email', async () => {
    await t.db.sql.query(
      `update api_token set revoked_at = now(), digest = null, revoked_by_kind = 'owner' where user_id = $1 and revoked_at is null`,
      [devId],
    );
    const response = await dev.post<{ id: string; token: string; access: string }>(
      '/api/v1/profile/tokens',
      { name: 'reader', access: 'read_only', expiresInDays: 7 },
    );
    expect(response.status).toBe(201);
    expect(response.body.access).toBe('read_only');
    expect((await dev.post('/api/v1/profile/tokens', { name: 'x', access: 'admin' })).status).toBe(
      400,
    );
    const item = (await list(dev)).find((i) => i.id === response.body.id);
    expect(item?.access).toBe('read_only');
    const me = await t
      .client()
      .get<{ auth: Record<string, unknown> }>('/api/v1/me', bearer(response.body.token));
    expect(me.body.auth).toEqual({
      kind: 'token',
      tokenId: response.body.id,
      tokenName: 'reader',
      expiresAt: item?.expiresAt,
      access: 'read_only',
    });
    const mail = await eventually(() =>
      mailsTo('dev@example.test', /created/).find((m) => m.text.includes('reader')),
    );
    expect(mail.text).toMatch(/Access:\s+read-only/);
    const refused = await t
      .client()
      .request('DELETE', `/api/v1/profile/tokens/${response.body.id}`, {
        headers: bearer(response.body.token),
      });
    expectProblem(refused, 403, 'insufficient_scope');
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="keyhold", error="insufficient_scope"',
    );
  });

  it("revokes all of a member's tokens: 200 {revoked: n}, an event per token, one email", async () => {
    const { client, ...leaver } = await t.newMember({ email: 'leaver@example.test' });
    const tokens = [
      await t.newToken(client, { name: 'one', expiresInDays: 30 }),
      await t.newToken(client, { name: 'two', expiresInDays: null }),
    ];
    const token = await t.client().get('/api/v1/me', bearer(tokens[0].secret));
    expect(token.status).toBe(200);
    const path = t.orgPath(`/members/${leaver.id}/tokens`);
    const byToken = await t.client().request('DELETE', path, { headers: bearer(tokens[1].secret) });
    expect(byToken.status).toBe(403);
    const response = await t.admin.request('DELETE', path);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revoked: 2 });
    for (const { secret: raw } of tokens) {
      expect((await t.client().get('/api/v1/me', bearer(raw))).status).toBe(401);
    }
    const { rows } = await t.db.sql.query(
      `select target_token_id from audit_event where action = 'token.revoked' and target_user_id = $1`,
      [leaver.id],
    );
    expect(rows.map((r) => r.target_token_id).sort()).toEqual(tokens.map((x) => x.id).sort());
    const mail = await eventually(() => mailsTo('leaver@example.test', /All your/)[0]);
    expect(mail.text).toContain(tokens[0].preview);
    expect(mail.text).toContain(tokens[1].preview);
    expect(mail.text).toContain('Administrator');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo('leaver@example.test', /revoked/)).toHaveLength(1);
    expect((await t.admin.request('DELETE', path)).body).toEqual({ revoked: 0 });
    const unknown = await t.admin.request(
      'DELETE',
      t.orgPath('/members/00000000-0000-4000-8000-000000000000/tokens'),
    );
    expectProblem(unknown, 404, 'member_not_found');
  });
});
