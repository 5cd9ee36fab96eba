import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { MailService } from '../src/mail/mail.service';
import type { TokenCreatedMail, TokenRevokedMail } from '../src/mail/mail.types';
import { createTestDatabase } from './support/database';
import { freePort, ReceivedMail, SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

const CREATED_SUBJECT = 'A personal API token was created on your Keyhold account';
const REVOKED_SUBJECT = 'A personal API token was revoked on your Keyhold account';

/** Polls until `probe` yields something truthy; fails with `what` after the deadline. */
async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs `work` the way a token service does: inside em.transactional in a request context. */
async function inTransaction(t: TestApp, work: (mail: MailService) => Promise<void>) {
  const em = t.app.get(MikroORM).em.fork();
  const mail = t.app.get(MailService);
  await RequestContext.create(em, () => em.transactional(() => work(mail)));
}

let seq = 0;
function created(overrides: Partial<TokenCreatedMail> = {}): TokenCreatedMail {
  seq += 1;
  return {
    to: 'owner@example.test',
    ownerName: 'Olive Owner',
    tokenName: `ci-deploy-${seq}-${process.pid}`,
    preview: 'khp_AbCdEfGh…1a2B',
    at: new Date('2026-11-23T10:11:12.000Z'),
    ip: '203.0.113.7',
    userAgent: 'curl/8.4.0 (x86_64-pc-linux-gnu)',
    channel: 'profile',
    ...overrides,
  };
}

const withName = (sink: SmtpSink, name: string): ReceivedMail[] =>
  sink.messages.filter((message) => message.text.includes(name));

async function outboxRow(t: TestApp, tokenName: string) {
  const { rows } = await t.db.sql.query<{
    status: string;
    attempts: number;
    last_error: string | null;
    message_id: string | null;
    recipient: string;
  }>(`select * from mail_outbox where payload->>'tokenName' = $1`, [tokenName]);
  return rows;
}

describe('mail: token notifications through the outbox (real SMTP)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      MAIL_RETRY_BASE_MS: '50',
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('sends a committed token-created mail to the owner with a fixed subject and every field', async () => {
    const input = created();
    await inTransaction(t, (mail) => mail.enqueueTokenCreated(input));
    const message = await waitFor('the mail', () => withName(sink, input.tokenName)[0]);
    expect(message.envelopeTo).toEqual(['owner@example.test']);
    expect(message.header('to')).toBe('owner@example.test');
    expect(message.header('subject')).toBe(CREATED_SUBJECT);
    expect(message.header('from')).toBe('Keyhold <no-reply@keyhold.local>');
    for (const part of [message.text, message.html]) {
      expect(part).toContain(input.tokenName);
      expect(part).toContain('khp_AbCdEfGh…1a2B');
      expect(part).toContain('2026-11-23T10:11:12.000Z');
      expect(part).toContain('Mon, 23 Nov 2026 10:11:12 UTC');
      expect(part).toContain('203.0.113.7');
      expect(part).toContain('curl/8.4.0 (x86_64-pc-linux-gnu)');
      expect(part).toContain('your profile');
      expect(part).toContain('Olive Owner');
    }
    expect(message.text).toContain(
      "If this wasn't you, revoke the token and contact your organization superuser.",
    );
    expect(message.html).toContain(
      'If this wasn&#39;t you, revoke the token and contact your organization superuser.',
    );
    const row = await waitFor('the row marked sent', async () =>
      (await outboxRow(t, input.tokenName)).find((r) => r.status === 'sent'),
    );
    expect(row).toMatchObject({ status: 'sent', attempts: 1, recipient: 'owner@example.test' });
    expect(row.message_id).toBe(message.header('message-id'));
  });

  it('says who revoked a token: the owner, a named superuser, or a leak report', async () => {
    const cases: [TokenRevokedMail['revokedBy'], RegExp][] = [
      [{ kind: 'owner' }, /^ {2}Revoked by: +you$/m],
      [
        { kind: 'superuser', name: 'Sam <b>Super</b>' },
        /^ {2}Revoked by: +Sam <b>Super<\/b>, an organization superuser$/m,
      ],
      [{ kind: 'leak_report' }, /^ {2}Revoked by: +Keyhold, .*reported as publicly exposed$/m],
    ];
    const inputs = cases.map(([revokedBy]) => ({
      ...created({ channel: 'api_token_auth' }),
      revokedBy,
    }));
    await inTransaction(t, async (mail) => {
      for (const input of inputs) await mail.enqueueTokenRevoked(input);
    });
    for (const [index, input] of inputs.entries()) {
      const message = await waitFor('the mail', () => withName(sink, input.tokenName)[0]);
      expect(message.header('subject')).toBe(REVOKED_SUBJECT);
      expect(message.text).toMatch(cases[index][1]);
      expect(message.text).toContain('api-token-auth');
      expect(message.text).toContain('contact your organization superuser');
    }
    const superuserMail = withName(sink, inputs[1].tokenName)[0];
    expect(superuserMail.html).toContain('Sam &lt;b&gt;Super&lt;/b&gt;, an organization superuser');
    expect(superuserMail.html).not.toContain('<b>Super');
  });

  it('keeps hostile token names, owner names and user agents out of the headers and escaped in HTML', async () => {
    const emoji = '😀'.repeat(100);
    const input = created({
      tokenName: `evil-${process.pid}\r\nBcc: attacker@evil.test\r\nSubject: pwned <script>alert(1)</script>${emoji}`,
      ownerName: 'Mallory\r\nX-Injected: yes',
      userAgent: 'Mozilla/5.0\nX-Injected: ua',
    });
    await inTransaction(t, (mail) => mail.enqueueTokenCreated(input));
    const message = await waitFor('the mail', () => withName(sink, `evil-${process.pid}`)[0]);
    expect(message.headers.map(([name]) => name).sort()).toEqual(
      ['content-type', 'date', 'from', 'message-id', 'mime-version', 'subject', 'to'].sort(),
    );
    expect(message.header('subject')).toBe(CREATED_SUBJECT);
    expect(message.envelopeTo).toEqual(['owner@example.test']);
    const headerBlock = message.raw.slice(0, message.raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/bcc|x-injected|evil|pwned|script|Mallory/i);
    expect(
      message.text.split(/\r?\n/).some((line) => /^(Bcc|Subject|X-Injected):/.test(line)),
    ).toBe(false);
    expect(message.text).toContain(emoji);
    expect(message.html).toContain(emoji);
    expect(message.html).toContain('pwned &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.html).not.toContain('<script>');
  });

  it('sends nothing for a rolled-back transaction', async () => {
    const rolledBack = created();
    await expect(
      inTransaction(t, async (mail) => {
        await mail.enqueueTokenCreated(rolledBack);
        throw new Error('the token change failed');
      }),
    ).rejects.toThrow('the token change failed');
    // A later committed mail proves the worker is running and has passed the rolled-back one.
    const committed = created();
    await inTransaction(t, (mail) => mail.enqueueTokenCreated(committed));
    await waitFor('the committed mail', () => withName(sink, committed.tokenName)[0]);
    expect(await outboxRow(t, rolledBack.tokenName)).toEqual([]);
    expect(withName(sink, rolledBack.tokenName)).toEqual([]);
  });

  it('never sends to a recipient that is not one plain address, and never fails the caller', async () => {
    const input = created({ to: 'owner@example.test, other@example.test' });
    await inTransaction(t, (mail) => mail.enqueueTokenCreated(input));
    const rows = await outboxRow(t, input.tokenName);
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('failed');
    expect(rows[0].last_error).toMatch(/plain email address/);
    expect(t.logs.join('\n')).toContain('no plain email address');
  });
});

describe('mail: SMTP down, retries, giving up', () => {
  it('queues while SMTP is down (the caller is not failed) and delivers exactly once when it is back', async () => {
    const port = await freePort();
    const t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_RETRY_BASE_MS: '50',
      MAIL_MAX_ATTEMPTS: '30',
    });
    let sink: SmtpSink | undefined;
    try {
      const input = created();
      await inTransaction(t, (mail) => mail.enqueueTokenCreated(input));
      const failing = await waitFor('a failed attempt', async () =>
        (await outboxRow(t, input.tokenName)).find((r) => r.attempts > 0 && r.last_error),
      );
      expect(failing.status).toBe('pending');
      expect(failing.last_error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
      sink = await startSmtpSink(port);
      await waitFor('the row marked sent', async () =>
        (await outboxRow(t, input.tokenName)).some((r) => r.status === 'sent'),
      );
      expect(withName(sink, input.tokenName)).toHaveLength(1);
    } finally {
      await t.close();
      await sink?.close();
    }
  });

  it('marks a message failed after MAIL_MAX_ATTEMPTS and logs an error without secrets', async () => {
    const port = await freePort();
    const t = await startTestApp({
      SMTP_URL: `smtp://user:hunter2-secret@127.0.0.1:${port}`,
      MAIL_RETRY_BASE_MS: '20',
      MAIL_MAX_ATTEMPTS: '3',
    });
    try {
      const input = created();
      await inTransaction(t, (mail) => mail.enqueueTokenCreated(input));
      const row = await waitFor('the row marked failed', async () =>
        (await outboxRow(t, input.tokenName)).find((r) => r.status === 'failed'),
      );
      expect(row.attempts).toBe(3);
      expect(row.last_error).toBeTruthy();
      const { rows } = await t.db.sql.query<{ id: string }>(
        `select id from mail_outbox where payload->>'tokenName' = $1`,
        [input.tokenName],
      );
      const errorLine = await waitFor('the error log line', () =>
        t.logs.find((line) => line.includes(rows[0].id) && line.includes('failed for good')),
      );
      expect(JSON.parse(errorLine)).toMatchObject({ level: 50, outboxId: rows[0].id, attempts: 3 });
      expect(t.logs.join('\n')).not.toContain('hunter2-secret');
    } finally {
      await t.close();
    }
  });
});

describe('mail: two instances on one database', () => {
  it('deliver 30 queued messages exactly once between them', async () => {
    const sink = await startSmtpSink(0, 20);
    const db = await createTestDatabase();
    const env = { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, MAIL_RETRY_BASE_MS: '50' };
    const first = await startTestApp(env, db);
    const second = await startTestApp(env, db);
    try {
      const names = Array.from({ length: 30 }, (_, index) => `fleet-${index}-${process.pid}`);
      await inTransaction(first, async (mail) => {
        for (const tokenName of names) await mail.enqueueTokenCreated(created({ tokenName }));
      });
      await waitFor('every row sent', async () => {
        const { rows } = await db.sql.query<{ n: number }>(
          `select count(*)::int as n from mail_outbox where status = 'sent'`,
        );
        return rows[0].n === 30;
      });
      // Names are a prefix of each other ("fleet-1-" vs "fleet-10-"), hence the exact line match.
      const counts = names.map(
        (name) =>
          sink.messages.filter((message) =>
            message.text.split(/\r?\n/).some((line) => line.trim().endsWith(` ${name}`)),
          ).length,
      );
      expect(counts).toEqual(names.map(() => 1));
      expect(sink.messages).toHaveLength(30);
      const { rows } = await db.sql.query<{ attempts: number }>(
        'select distinct attempts from mail_outbox',
      );
      expect(rows).toEqual([{ attempts: 1 }]);
    } finally {
      await first.close();
      await second.close();
      await db.drop();
      await sink.close();
    }
  });
});

describe('mail: shutdown', () => {
  it('flushes the queued messages before it stops', async () => {
    const sink = await startSmtpSink(0, 200);
    const db = await createTestDatabase();
    const t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${sink.port}` }, db);
    let closed = false;
    try {
      const inputs = [created(), created(), created()];
      await inTransaction(t, async (mail) => {
        for (const input of inputs) await mail.enqueueTokenCreated(input);
      });
      // The server holds each DATA reply for 200 ms: close while the first is on the wire.
      await waitFor('the first message on the wire', () => sink.messages.length === 1);
      await t.close();
      closed = true;
      const { rows } = await db.sql.query<{
        status: string;
        attempts: number;
        locked_until: Date | null;
      }>(`select status, attempts, locked_until from mail_outbox order by status desc`);
      expect(rows).toEqual([
        { status: 'sent', attempts: 1, locked_until: null },
        { status: 'sent', attempts: 1, locked_until: null },
        { status: 'sent', attempts: 1, locked_until: null },
      ]);
      expect(sink.messages).toHaveLength(3);
    } finally {
      if (!closed) await t.close();
      await db.drop();
      await sink.close();
    }
  });
});

describe('mail: no SMTP_URL', () => {
  it('writes each message as an .eml file under DATA_DIR/mail and logs where', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyhold-mail-'));
    const t = await startTestApp({ DATA_DIR: dataDir });
    try {
      const input = created();
      // Outside a transaction: the insert commits on its own and is sent straight away.
      const em = t.app.get(MikroORM).em.fork();
      await RequestContext.create(em, () => t.app.get(MailService).enqueueTokenCreated(input));
      const mailDir = join(dataDir, 'mail');
      const file = await waitFor('the .eml file', async () =>
        (await readdir(mailDir).catch(() => [] as string[])).find((name) => name.endsWith('.eml')),
      );
      expect(file).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z-[0-9a-f-]{36}\.eml$/);
      const eml = await readFile(join(mailDir, file), 'utf8');
      expect(eml).toContain(`Subject: ${CREATED_SUBJECT}`);
      expect(eml).toContain('To: owner@example.test');
      expect(eml).toContain('\r\n');
      const logLine = await waitFor('the log line', () =>
        t.logs.find((line) => line.includes(join(mailDir, file))),
      );
      expect(JSON.parse(logLine)).toMatchObject({ level: 30, file: join(mailDir, file) });
      expect(
        t.logs.some((line) =>
          line.includes(`writing each message as an .eml file under ${mailDir}`),
        ),
      ).toBe(true);
    } finally {
      await t.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
