import { TokenChannel } from '../src/common/access/token-kinds';
import type { TokenRevokedMail } from '../src/mail/mail.types';
import {
  created,
  CREATED_SUBJECT,
  inTransaction,
  outboxRow,
  REVOKED_SUBJECT,
  waitFor,
  withName,
} from './support/mail-outbox';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

/** What the owner receives, and what is never sent: the messages themselves, over real SMTP. */
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
      ...created({ channel: TokenChannel.ApiTokenAuth }),
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
