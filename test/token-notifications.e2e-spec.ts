import { generateToken } from '../src/tokens/token-format';
import { bearer, useTestContext } from './support/context';
import { addMember, createToken, eventually, signIn } from './support/fixtures';
import { freePort, SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp } from './support/test-app';

describe('token notifications and audit through the API (SPEC §6, §7)', () => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(() => smtp.close());
  const t = useTestContext(() => ({
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    MAIL_RETRY_BASE_MS: '50',
  }));

  it('emails the owner on create and on revoke, with the request IP and user agent', async () => {
    const { client: owner } = await t.newMember({ email: 'owner@example.test' });
    const created = await owner.post<{ id: string; token: string; preview: string }>(
      '/api/v1/profile/tokens',
      { name: 'Nightly <b>build</b>' },
      { 'user-agent': 'keyhold-cli/2.1' },
    );
    expect(created.status).toBe(201);
    const createdMail = await eventually(() =>
      smtp.messages.find(
        (m) =>
          m.envelopeTo.includes('owner@example.test') && /created/i.test(m.header('subject') ?? ''),
      ),
    );
    expect(createdMail.header('to')).toContain('owner@example.test');
    expect(createdMail.text).toContain('Nightly <b>build</b>');
    expect(createdMail.html).toContain('Nightly &lt;b&gt;build&lt;/b&gt;');
    expect(createdMail.text).toContain(created.body.preview);
    expect(createdMail.text).toContain('127.0.0.1');
    expect(createdMail.text).toContain('keyhold-cli/2.1');
    expect(createdMail.text).toMatch(/profile/);
    expect(createdMail.text).toMatch(/If this wasn.t you/);
    expect(createdMail.raw).not.toContain(created.body.token);

    expect(
      (
        await owner.request('DELETE', `/api/v1/profile/tokens/${created.body.id}`, {
          headers: { 'user-agent': 'revoker/1.0' },
        })
      ).status,
    ).toBe(204);
    const revokedMail = await eventually(() =>
      smtp.messages.find(
        (m) =>
          m.envelopeTo.includes('owner@example.test') && /revoked/i.test(m.header('subject') ?? ''),
      ),
    );
    expect(revokedMail.text).toContain('revoker/1.0');
    expect(revokedMail.text).toContain(created.body.preview);

    const events = await t.admin.get<{
      items: { action: string; targetTokenId: string; userAgent: string }[];
    }>(t.orgPath('/audit-events?action=token.created'));
    expect(events.body.items.find((e) => e.targetTokenId === created.body.id)?.userAgent).toBe(
      'keyhold-cli/2.1',
    );
    const revokes = await t.admin.get<{ items: { targetTokenId: string }[] }>(
      t.orgPath('/audit-events?action=token.revoked'),
    );
    expect(revokes.body.items.map((e) => e.targetTokenId)).toContain(created.body.id);
  });

  it('names the superuser in the email when a superuser revokes', async () => {
    const { client: victim } = await t.newMember({ email: 'victim@example.test' });
    const token = await t.newToken(victim, { name: 'to-be-revoked' });
    expect((await t.admin.request('DELETE', t.orgPath(`/tokens/${token.id}`))).status).toBe(204);
    const mail = await eventually(() =>
      smtp.messages.find(
        (m) =>
          m.envelopeTo.includes('victim@example.test') &&
          /revoked/i.test(m.header('subject') ?? ''),
      ),
    );
    expect(mail.text).toContain('Administrator');
  });

  it('sends exactly one email and one audit event for concurrent revokes', async () => {
    const { client: racer } = await t.newMember({ email: 'racer@example.test' });
    const token = await t.newToken(racer, { name: 'raced' });
    await Promise.all(
      Array.from({ length: 5 }, () =>
        racer.request('DELETE', `/api/v1/profile/tokens/${token.id}`),
      ),
    );
    await eventually(() =>
      smtp.messages.some(
        (m) =>
          m.envelopeTo.includes('racer@example.test') && /revoked/i.test(m.header('subject') ?? ''),
      ),
    );
    const { rows } = await t.db.sql.query(
      `select count(*)::int as n from mail_outbox where recipient = 'racer@example.test' and kind = 'token_revoked'`,
    );
    expect(rows[0].n).toBe(1);
    const audit = await t.db.sql.query(
      `select count(*)::int as n from audit_event where action = 'token.revoked' and target_token_id = $1`,
      [token.id],
    );
    expect(audit.rows[0].n).toBe(1);
  });
});

describe('leak reports (SPEC §6: revoked by leak report)', () => {
  it('revokes each live reported token, audits it and emails the owner; others are ignored', async () => {
    const smtp = await startSmtpSink();
    const t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_RETRY_BASE_MS: '50',
    });
    try {
      await addMember(t, { email: 'leaky@example.test' });
      const owner = await signIn(t, 'leaky@example.test');
      const leaked = await createToken(owner, 'pasted-in-a-gist');
      const kept = await createToken(owner, 'still-private');
      expect((await t.client().get('/api/v1/me', bearer(leaked.token))).status).toBe(200);
      const report = await t.client().post('/api/v1/token-leaks', {
        tokens: [leaked.token, leaked.token, 'khp_not-even-a-token', generateToken('khp_')],
      });
      expect(report.status).toBe(202);
      // No oracle (SPEC §2a): the answer does not say which of them were live.
      expect(report.body).toEqual({ received: 4 });
      expect((await t.client().get('/api/v1/me', bearer(leaked.token))).status).toBe(401);
      expect((await t.client().get('/api/v1/me', bearer(kept.token))).status).toBe(200);
      const { rows } = await t.db.sql.query(
        `select actor_via, actor_user_id, metadata from audit_event where action = 'token.revoked' and target_token_id = $1`,
        [leaked.id],
      );
      expect(rows).toEqual([
        {
          actor_via: 'system',
          actor_user_id: null,
          metadata: expect.objectContaining({ by: 'leak_report' }),
        },
      ]);
      const mail = await eventually(() =>
        smtp.messages.find(
          (m) =>
            m.envelopeTo.includes('leaky@example.test') &&
            /revoked/i.test(m.header('subject') ?? ''),
        ),
      );
      expect(mail.text).toMatch(/automatically/);
      expect(t.logs.join('\n')).not.toContain(leaked.token);
      const dead = await t.client().post('/api/v1/token-leaks', { tokens: [leaked.token] });
      const madeUp = await t.client().post('/api/v1/token-leaks', {
        tokens: [generateToken('khp_')],
      });
      const live = await t.client().post('/api/v1/token-leaks', { tokens: [kept.token] });
      for (const answer of [dead, madeUp, live]) {
        expect({ status: answer.status, body: answer.body }).toEqual({
          status: 202,
          body: { received: 1 },
        });
      }
      expect((await t.client().get('/api/v1/me', bearer(kept.token))).status).toBe(401);
      expect((await t.client().post('/api/v1/token-leaks', { tokens: [] })).status).toBe(400);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});

describe('SMTP down when a token is created', () => {
  it('answers 201 at once and delivers the email once SMTP is back, exactly once', async () => {
    const port = await freePort();
    const t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_RETRY_BASE_MS: '50',
    });
    let smtp: SmtpSink | undefined;
    try {
      await addMember(t, { email: 'patient@example.test' });
      const client = await signIn(t, 'patient@example.test');
      const created = await client.post('/api/v1/profile/tokens', { name: 'while-down' });
      expect(created.status).toBe(201);
      await eventually(async () => {
        const { rows } = await t.db.sql.query(
          `select attempts from mail_outbox where recipient = 'patient@example.test'`,
        );
        return rows[0]?.attempts > 0;
      });
      smtp = await startSmtpSink(port);
      const sink = smtp;
      await eventually(
        () => sink.messages.some((m) => m.envelopeTo.includes('patient@example.test')),
        20000,
      );
      // Give a duplicate every chance to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        sink.messages.filter((m) => m.envelopeTo.includes('patient@example.test')),
      ).toHaveLength(1);
    } finally {
      await t.close();
      await smtp?.close();
    }
  });
});
