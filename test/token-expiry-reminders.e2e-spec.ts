import { TokenExpiryReminders } from '../src/tokens/token-expiry-reminders.service';
import { useTestContext } from './support/context';
import { eventually } from './support/fixtures';
import type { HttpClient } from './support/http-client';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

describe('expiry reminders (SPEC §2a)', () => {
  let smtp: SmtpSink;
  let owner: HttpClient;
  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(() => smtp.close());
  const t = useTestContext(() => ({
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    TOKEN_CREATE_LIMIT_PER_MINUTE: '100',
  }));
  const sweep = () => t.app.get(TokenExpiryReminders).sweepNow();
  beforeAll(async () => {
    ({ client: owner } = await t.newMember({ email: 'owner@example.test' }));
  });

  const mailsAbout = (name: string) =>
    smtp.messages.filter((m) => new RegExp(`Token name:\\s+${name}\n`).test(m.text));
  const reminderDays = (name: string) =>
    mailsAbout(name).flatMap((m) => /expires in (\d+) day/.exec(m.text)?.[1] ?? []);
  /** Moves a token's whole life `days` into the past, as if that much time had gone by. */
  const age = (id: string, days: number) =>
    t.db.sql.query(
      `update api_token set created_at = created_at - $2 * interval '1 day',
         expires_at = expires_at - $2 * interval '1 day' where id = $1`,
      [id, days],
    );
  const settle = async () => {
    await sweep();
    await eventually(async () => {
      const { rows } = await t.db.sql.query(
        `select count(*)::int as n from mail_outbox where status = 'pending'`,
      );
      return rows[0].n === 0;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
  };
  /** The subjects of the expiry mails about the token (not its creation or revocation). */
  const subjects = (name: string) =>
    mailsAbout(name)
      .map((m) => m.header('subject') ?? '')
      .filter((subject) => /expire/.test(subject));

  it('reminds 7 days and 1 day before, and once on expiry (audited), each exactly once', async () => {
    const token = await t.newToken(owner, { name: 'monthly', expiresInDays: 30 });
    await age(token.id, 24); // 6 days left
    await settle();
    await settle();
    expect(subjects('monthly')).toEqual([expect.stringMatching(/expires soon/)]);
    const first = mailsAbout('monthly').find((m) => /expires soon/.test(m.header('subject') ?? ''));
    if (!first) throw new Error('no reminder');
    expect(first.text).toContain('expires in 7 days');
    expect(first.text).toContain(token.preview);
    expect(first.text).toContain('UTC');
    expect(first.text).toMatch(/rotate/);
    expect(first.raw).not.toContain(token.secret);

    await age(token.id, 5.5); // half a day left
    await settle();
    expect(mailsAbout('monthly').filter((m) => /expires in 1 day\b/.test(m.text))).toHaveLength(1);
    await age(token.id, 1); // expired
    await settle();
    await settle();
    expect(subjects('monthly')).toEqual([
      expect.stringMatching(/expires soon/),
      expect.stringMatching(/expires soon/),
      expect.stringMatching(/has expired/),
    ]);
    const { rows } = await t.db.sql.query(
      `select actor_via from audit_event where action = 'token.expired' and target_token_id = $1`,
      [token.id],
    );
    expect(rows).toEqual([{ actor_via: 'system' }]);
  });

  it('skips a reminder whose time had passed at creation, and sends only the most imminent one', async () => {
    const weekly = await t.newToken(owner, { name: 'weekly', expiresInDays: 7 });
    await age(weekly.id, 6.5);
    await settle();
    // A 7-day token gets no 7-day reminder: the first it gets is the 1-day one.
    expect(reminderDays('weekly')).toEqual(['1']);

    const late = await t.newToken(owner, { name: 'late', expiresInDays: 90 });
    await age(late.id, 89.5); // both 7-day and 1-day times have passed meanwhile
    await settle();
    expect(reminderDays('late')).toEqual(['1']);
  });

  it('sends nothing for revoked or rotated tokens', async () => {
    const revoked = await t.newToken(owner, { name: 'revoked-soon', expiresInDays: 30 });
    await owner.request('DELETE', `/api/v1/profile/tokens/${revoked.id}`);
    const rotated = await t.newToken(owner, { name: 'rotated-soon', expiresInDays: 30 });
    const rotation = await owner.post(`/api/v1/profile/tokens/${rotated.id}/rotate`, {
      overlapMinutes: 10080,
    });
    expect(rotation.status).toBe(201);
    await age(revoked.id, 29.9);
    await age(rotated.id, 29.9);
    await settle();
    expect(subjects('revoked-soon')).toEqual([]);
    // The new token of the rotation is a fresh 30-day one: nothing due for it either.
    expect(subjects('rotated-soon')).toEqual([]);
  });

  it('wakes up by itself at the next due time', async () => {
    const token = await t.newToken(owner, { name: 'timed', expiresInDays: 30 });
    await t.db.sql.query(
      `update api_token set created_at = now() - interval '29 days',
         expires_at = now() + interval '1 day 1 second' where id = $1`,
      [token.id],
    );
    await sweep(); // nothing due yet; the timer is set for the 1-day reminder in about a second
    expect(subjects('timed')).toEqual([]);
    await eventually(
      () => mailsAbout('timed').find((m) => /expires in 1 day/.test(m.text)),
      10_000,
    );
  });
});
