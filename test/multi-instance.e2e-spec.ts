import { createTestDatabase, TestDatabase } from './support/database';
import { ChildServer, startChildServer } from './support/child-server';
import { addMember, eventually, signIn } from './support/fixtures';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { HttpClient } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { generateToken, tokenDigest, tokenPreview } from '../src/tokens/token-format';

// SPEC §3/§9: a change made on one instance applies on every other within 100 ms.
const PROPAGATION_BOUND_MS = 100;
const REVOKE_TRIALS = 1000;
const WITHDRAW_TRIALS = 100;

interface Trial {
  elapsedMs: number;
  /** 200s from B after the bound had passed: must never happen. */
  lateSuccesses: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function summary(label: string, trials: Trial[]): { p50: number; p99: number; max: number } {
  const sorted = trials.map((t) => t.elapsedMs).sort((a, b) => a - b);
  const result = {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
  console.log(
    `${label}: ${trials.length} trials, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms`,
  );
  return result;
}

/** Polls B with the token until it is refused; counts successes seen after the bound. */
async function untilRefused(baseUrl: string, raw: string, since: number): Promise<Trial> {
  let lateSuccesses = 0;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/v1/me`, {
      headers: { authorization: `Bearer ${raw}` },
    });
    await response.arrayBuffer();
    const elapsedMs = performance.now() - since;
    if (response.status === 401) return { elapsedMs, lateSuccesses };
    if (response.status !== 200) throw new Error(`unexpected ${response.status}`);
    if (elapsedMs > PROPAGATION_BOUND_MS) lateSuccesses += 1;
    if (elapsedMs > 5000) throw new Error('never refused');
  }
}

describe('two instances on one PostgreSQL: revocation and permission changes propagate', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: ChildServer;
  let admin: HttpClient;
  let orgId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp({ LOGIN_LIMIT_PER_MINUTE: '1000' }, db);
    b = await startChildServer(db.url);
    admin = await a.admin();
    orgId = String(
      (await admin.get<{ organization: { id: string } }>('/api/v1/me')).body.organization.id,
    );
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
    await a?.close();
    await db?.drop();
  });

  it(`revoked on A, refused by B: ${REVOKE_TRIALS} trials, none accepted after ${PROPAGATION_BOUND_MS} ms`, async () => {
    const dev = await addMember(a, { email: 'dev@example.test' });
    const tokens = Array.from({ length: REVOKE_TRIALS }, () => generateToken('khp_'));
    const ids: string[] = [];
    for (let i = 0; i < tokens.length; i += 200) {
      const chunk = tokens.slice(i, i + 200);
      const { rows } = await db.sql.query(
        `insert into api_token (id, user_id, organization_id, name, digest, preview, channel, created_ip, created_user_agent)
         select gen_random_uuid(), $1, $2, 'trial-' || d.ord, d.digest, d.preview, 'profile', '127.0.0.1', 'seed'
         from unnest($3::text[], $4::text[]) with ordinality as d(digest, preview, ord)
         returning id, digest`,
        [dev.id, orgId, chunk.map(tokenDigest), chunk.map(tokenPreview)],
      );
      const byDigest = new Map(rows.map((row) => [row.digest as string, row.id as string]));
      ids.push(...chunk.map((raw) => byDigest.get(tokenDigest(raw)) as string));
    }
    const trials: Trial[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const warm = await fetch(`${b.baseUrl}/api/v1/me`, {
        headers: { authorization: `Bearer ${tokens[i]}` },
      });
      expect(warm.status).toBe(200);
      const revoked = await admin.request(
        'DELETE',
        `/api/v1/organizations/${orgId}/tokens/${ids[i]}`,
      );
      expect(revoked.status).toBe(204);
      trials.push(await untilRefused(b.baseUrl, tokens[i], performance.now()));
    }
    const { p99 } = summary('revocation A→B', trials);
    expect(trials.reduce((sum, t) => sum + t.lateSuccesses, 0)).toBe(0);
    expect(p99).toBeLessThanOrEqual(PROPAGATION_BOUND_MS);
  }, 300_000);

  it(`permission withdrawn on A, token refused by B: ${WITHDRAW_TRIALS} trials`, async () => {
    const member = await addMember(a, { email: 'script@example.test' });
    const client = await signIn(a, member.email);
    const created = await client.post<{ token: string }>('/api/v1/profile/tokens', {
      name: 'propagation',
    });
    const raw = created.body.token;
    const setPermission = (value: boolean) =>
      admin.request('PATCH', `/api/v1/organizations/${orgId}/members/${member.id}`, {
        body: { permissions: { 'api_tokens.manage': value } },
      });
    const trials: Trial[] = [];
    for (let i = 0; i < WITHDRAW_TRIALS; i++) {
      const warm = await fetch(`${b.baseUrl}/api/v1/me`, {
        headers: { authorization: `Bearer ${raw}` },
      });
      expect(warm.status).toBe(200);
      expect((await setPermission(false)).status).toBe(200);
      trials.push(await untilRefused(b.baseUrl, raw, performance.now()));
      expect((await setPermission(true)).status).toBe(200);
      // Granted again: B accepts the token again once the change has reached it.
      const deadline = Date.now() + 5000;
      while (
        (await fetch(`${b.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${raw}` } }))
          .status !== 200
      ) {
        if (Date.now() > deadline) throw new Error('re-grant never reached B');
      }
    }
    const { p99 } = summary('permission withdrawal A→B', trials);
    expect(trials.reduce((sum, t) => sum + t.lateSuccesses, 0)).toBe(0);
    expect(p99).toBeLessThanOrEqual(PROPAGATION_BOUND_MS);
  }, 300_000);
});

// In this file rather than its own so that it never runs beside the propagation trials above: its
// thousand emails would load the machine and skew their timings.
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
