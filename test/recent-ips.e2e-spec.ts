import { QueryCounter } from '../src/database/query-counter';
import { LastUsedRecorder } from '../src/tokens/last-used.recorder';
import { bearer, useTestContext } from './support/context';
import { addMember, createToken, eventually, signIn } from './support/fixtures';
import type { HttpClient } from './support/http-client';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp } from './support/test-app';

interface Item {
  id: string;
  lastUsedIp: string | null;
  recentIps: { ip: string; firstSeenAt: string; lastSeenAt: string }[];
}

describe('recent IPs and new-IP alerts (SPEC §2a)', () => {
  let smtp: SmtpSink;
  let owner: HttpClient;
  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(() => smtp.close());
  const t = useTestContext(() => ({
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    TRUST_PROXY: '1',
    LAST_USED_FLUSH_MS: '50',
  }));
  beforeAll(async () => {
    ({ client: owner } = await t.newMember({ email: 'owner@example.test' }));
  });

  const item = async (id: string) =>
    (
      await owner.get<{ items: Item[] }>('/api/v1/profile/tokens?state=all&limit=100')
    ).body.items.find((i) => i.id === id) as Item;
  const newIpMails = () =>
    smtp.messages.filter((m) => /new IP address/.test(m.header('subject') ?? ''));

  it('keeps the last 5 distinct IPs newest first, and emails once about a new one', async () => {
    const token = await t.newToken(owner, { name: 'roaming', expiresInDays: 30 });
    const ips = [1, 2, 3, 4, 5, 6].map((n) => `203.0.113.${n}`);
    const recorder = t.app.get(LastUsedRecorder);
    const counter = t.app.get(QueryCounter);
    for (const ip of ips) {
      for (let repeat = 0; repeat < 2; repeat++) {
        const before = counter.requestCount;
        const me = await t.client().get('/api/v1/me', {
          ...bearer(token.secret),
          'x-forwarded-for': ip,
          'user-agent': 'roaming-agent/1.0',
        });
        expect(me.status).toBe(200);
        // Warm: recording the IP costs the request no SQL at all.
        if (repeat === 1) expect(counter.requestCount).toBe(before);
      }
      await recorder.flush();
      await eventually(async () => (await item(token.id)).lastUsedIp === ip);
    }
    const listed = await item(token.id);
    expect(listed.recentIps.map((entry) => entry.ip)).toEqual([...ips].reverse().slice(0, 5));
    for (const entry of listed.recentIps) {
      expect(new Date(entry.firstSeenAt).getTime()).toBeLessThanOrEqual(
        new Date(entry.lastSeenAt).getTime(),
      );
    }
    const org = await t.admin.get<{ items: Item[] }>(t.orgPath('/tokens'));
    expect(org.body.items.find((i) => i.id === token.id)?.recentIps).toEqual(listed.recentIps);

    // IPs 2 to 6 were new (the first one was the first use): five events, one email this hour.
    const { rows } = await t.db.sql.query(
      `select ip, metadata from audit_event where action = 'token.used_from_new_ip'
       and target_token_id = $1 order by occurred_at, ip`,
      [token.id],
    );
    expect(rows.map((row) => row.ip)).toEqual(ips.slice(1));
    const mail = await eventually(() => newIpMails()[0]);
    expect(mail.envelopeTo).toEqual(['owner@example.test']);
    expect(mail.text).toContain('roaming');
    expect(mail.text).toContain(token.preview);
    expect(mail.text).toContain('203.0.113.2');
    expect(mail.text).toContain('UTC');
    expect(mail.text).toMatch(/revoke the token/);
    expect(mail.raw).not.toContain(token.secret);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(newIpMails()).toHaveLength(1);

    // Back to a known IP: nothing new.
    await t.client().get('/api/v1/me', {
      ...bearer(token.secret),
      'x-forwarded-for': ips[3],
    });
    await recorder.flush();
    const again = await t.db.sql.query(
      `select count(*)::int as n from audit_event where action = 'token.used_from_new_ip' and target_token_id = $1`,
      [token.id],
    );
    expect(again.rows[0].n).toBe(5);
    expect((await item(token.id)).recentIps[0].ip).toBe(ips[3]);
  });
});

describe('recent IPs share the last-used write', () => {
  it('writes one statement per flush for several tokens and IPs', async () => {
    // A long interval: only the explicit flush below writes.
    const t = await startTestApp({ TRUST_PROXY: '1', LAST_USED_FLUSH_MS: '60000' });
    try {
      await addMember(t, { email: 'batch@example.test' });
      const owner = await signIn(t, 'batch@example.test');
      const tokens = [
        await createToken(owner, 'batch-a', 30),
        await createToken(owner, 'batch-b', 30),
      ];
      const recorder = t.app.get(LastUsedRecorder);
      await recorder.flush();
      const writes = recorder.writes;
      for (const token of tokens) {
        for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.1']) {
          const me = await t.client().get('/api/v1/me', {
            authorization: `Bearer ${token.token}`,
            'x-forwarded-for': ip,
          });
          expect(me.status).toBe(200);
        }
      }
      await recorder.flush();
      expect(recorder.writes - writes).toBe(1);
      const { rows } = await t.db.sql.query<{ recent_ips: { ip: string }[] }>(
        `select recent_ips from api_token where id = any($1::uuid[])`,
        [tokens.map((token) => token.id)],
      );
      for (const row of rows) {
        expect(row.recent_ips.map((entry) => entry.ip)).toEqual(['198.51.100.1', '198.51.100.2']);
      }
    } finally {
      await t.close();
    }
  });
});
