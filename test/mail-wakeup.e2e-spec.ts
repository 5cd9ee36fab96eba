import { randomUUID } from 'node:crypto';
import { SAFETY_SWEEP_MS } from '../src/mail/mail.worker';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

// Far below the safety sweep: only a NOTIFY or a due-time timer can explain a delivery this fast.
const WAKE_BOUND_MS = 10_000;

const payload = (tokenName: string) => ({
  ownerName: 'Olive Owner',
  tokenName,
  preview: 'khp_AbCdEfGh…1a2B',
  at: '2026-11-23T10:11:12.000Z',
  ip: '203.0.113.7',
  userAgent: 'curl/8.4.0',
  channel: 'profile',
});

async function waitForSent(t: TestApp, id: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { rows } = await t.db.sql.query<{ status: string }>(
      'select status from mail_outbox where id = $1',
      [id],
    );
    if (rows[0]?.status === 'sent') return Date.now() - started;
    if (Date.now() - started > WAKE_BOUND_MS) throw new Error('not sent within the bound');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the mail worker wakes without polling', () => {
  let sink: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    expect(SAFETY_SWEEP_MS).toBeGreaterThan(WAKE_BOUND_MS * 3);
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${sink.port}` });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('on NOTIFY from another instance’s enqueuing transaction', async () => {
    // Give the worker time to go back to sleep after start-up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const id = randomUUID();
    await t.db.sql.query('begin');
    await t.db.sql.query(
      `insert into mail_outbox (id, kind, recipient, payload) values ($1, 'token_created', $2, $3)`,
      [id, 'owner@example.test', payload('notified elsewhere')],
    );
    await t.db.sql.query(`select pg_notify('keyhold_mail_outbox', '')`);
    await t.db.sql.query('commit');
    await waitForSent(t, id);
    expect(sink.messages.filter((m) => m.text.includes('notified elsewhere'))).toHaveLength(1);
  });

  it('when a dead worker’s lease runs out (the next due time)', async () => {
    const id = randomUUID();
    // Claimed by a worker that died mid-send: the lease ends in 2 s.
    await t.db.sql.query(
      `insert into mail_outbox (id, kind, recipient, payload, attempts, locked_until)
       values ($1, 'token_created', $2, $3, 1, now() + interval '2 seconds')`,
      [id, 'owner@example.test', payload('lease ran out')],
    );
    await t.db.sql.query(`select pg_notify('keyhold_mail_outbox', '')`);
    const ms = await waitForSent(t, id);
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(sink.messages.filter((m) => m.text.includes('lease ran out'))).toHaveLength(1);
  });
});
