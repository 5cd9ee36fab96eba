import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { MailService } from '../src/mail/mail.service';
import { createTestDatabase } from './support/database';
import {
  created,
  CREATED_SUBJECT,
  inTransaction,
  outboxRow,
  waitFor,
  withName,
} from './support/mail-outbox';
import { freePort, SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp } from './support/test-app';

/** Getting the mail out: SMTP down, retries, giving up, several instances, shutdown, no SMTP. */
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
