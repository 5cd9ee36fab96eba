import { generateToken, tokenDigest, tokenPreview } from '../src/tokens/token-format';
import { ChildServer, startChildServer } from './support/child-server';
import { createTestDatabase, TestDatabase } from './support/database';
import { addMember, eventually, signIn } from './support/fixtures';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

const REMINDED_TOKENS = 1000;
const me = (baseUrl: string, raw: string) =>
  fetch(`${baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${raw}` } }).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status;
    },
  );

describe('token lifecycle across two instances (SPEC §2a, §9)', () => {
  let db: TestDatabase;
  let smtp: SmtpSink;
  let a: TestApp;
  let b: ChildServer;
  let ownerId: string;
  let orgId: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    db = await createTestDatabase();
    const env = { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_RETRY_BASE_MS: '50' };
    // First start: bootstrap and the owner; then the tokens due soon, before either instance
    // (re)starts, so both arm their timers for the same moment.
    const first = await startTestApp(env, db);
    ownerId = (await addMember(first, { email: 'owner@example.test' })).id;
    orgId = (await db.sql.query('select id from organization limit 1')).rows[0].id;
    await first.close();
    const raws = Array.from({ length: REMINDED_TOKENS }, () => generateToken('khp_'));
    // Created 5 days ago, expiring in a day and 15 s: the 1-day reminder is due in 15 s, the
    // 7-day one never was (its time had passed at creation).
    await db.sql.query(
      `insert into api_token (id, user_id, organization_id, name, digest, preview, channel,
         created_at, created_ip, created_user_agent, expires_at)
       select gen_random_uuid(), $1, $2, 'due-' || d.ord, d.digest, d.preview, 'profile',
         now() - interval '5 days', '127.0.0.1', 'seed', now() + interval '1 day 15 seconds'
       from unnest($3::text[], $4::text[]) with ordinality as d(digest, preview, ord)`,
      [ownerId, orgId, raws.map(tokenDigest), raws.map(tokenPreview)],
    );
    [a, b] = await Promise.all([startTestApp(env, db), startChildServer(db.url, env)]);
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
    await a?.close();
    await db?.drop();
    await smtp?.close();
  });

  it(`sends exactly ${REMINDED_TOKENS} reminders for ${REMINDED_TOKENS} tokens due at once`, async () => {
    const reminders = () =>
      smtp.messages.filter((m) => /expires soon/.test(m.header('subject') ?? ''));
    // Exactly once in the outbox, whichever instance claimed each token...
    await eventually(async () => {
      const { rows } = await db.sql.query(
        `select count(*)::int as n from api_token where name like 'due-%' and last_notice_days = 1`,
      );
      return rows[0].n === REMINDED_TOKENS;
    }, 60_000);
    const queued = await db.sql.query(
      `select kind, count(*)::int as n, count(distinct payload->>'tokenName')::int as names
       from mail_outbox where payload->>'tokenName' like 'due-%' group by kind`,
    );
    expect(queued.rows).toEqual([
      { kind: 'token_expiring', n: REMINDED_TOKENS, names: REMINDED_TOKENS },
    ]);
    // ...and delivered once each.
    await eventually(() => reminders().length >= REMINDED_TOKENS, 180_000);
    // Both sweeps and both mail workers are done: nothing more arrives.
    await eventually(async () => {
      const { rows } = await db.sql.query(
        `select count(*)::int as n from mail_outbox where status = 'pending'`,
      );
      return rows[0].n === 0;
    }, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const mails = reminders();
    expect(mails).toHaveLength(REMINDED_TOKENS);
    const names = mails.map((m) => /Token name:\s+(due-\d+)/.exec(m.text)?.[1]);
    expect(new Set(names).size).toBe(REMINDED_TOKENS);
    expect(mails.every((m) => /expires in 1 day\b/.test(m.text))).toBe(true);
    const { rows } = await db.sql.query(
      `select last_notice_days, count(*)::int as n from api_token where name like 'due-%' group by 1`,
    );
    expect(rows).toEqual([{ last_notice_days: 1, n: REMINDED_TOKENS }]);
  }, 300_000);

  it('accepts a rotated token during the overlap and refuses it right after, on both instances', async () => {
    await addMember(a, { email: 'rotator@example.test' });
    const owner = await signIn(a, 'rotator@example.test');
    const created = await owner.post<{ id: string; token: string }>('/api/v1/profile/tokens', {
      name: 'rotating',
    });
    const old = created.body;
    // Both instances have it cached.
    expect([await me(a.baseUrl, old.token), await me(b.baseUrl, old.token)]).toEqual([200, 200]);
    const rotated = await owner.post<{ id: string; token: string }>(
      `/api/v1/profile/tokens/${old.id}/rotate`,
      { overlapMinutes: 60 },
    );
    expect(rotated.status).toBe(201);
    for (const base of [a.baseUrl, b.baseUrl]) {
      expect([await me(base, old.token), await me(base, rotated.body.token)]).toEqual([200, 200]);
    }
    // The overlap's end brought forward on the database clock (2 s from now), announced like any
    // token change: both instances reload the token and then refuse it once the time has come.
    await db.sql.query(
      `update api_token set expires_at = now() + interval '2 seconds' where id = $1`,
      [old.id],
    );
    await db.sql.query(`select pg_notify('keyhold_token_access', $1)`, [
      JSON.stringify({ kind: 'token', id: old.id }),
    ]);
    for (const base of [a.baseUrl, b.baseUrl]) expect(await me(base, old.token)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    for (const base of [a.baseUrl, b.baseUrl]) {
      expect([await me(base, old.token), await me(base, rotated.body.token)]).toEqual([401, 200]);
    }

    // With no overlap the old token is refused at once, on both.
    const next = await owner.post<{ token: string }>(
      `/api/v1/profile/tokens/${rotated.body.id}/rotate`,
      { overlapMinutes: 0 },
    );
    expect(next.status).toBe(201);
    expect(await me(a.baseUrl, rotated.body.token)).toBe(401);
    await eventually(async () => (await me(b.baseUrl, rotated.body.token)) === 401, 1000);
    for (const base of [a.baseUrl, b.baseUrl]) expect(await me(base, next.body.token)).toBe(200);
  }, 60_000);
});
