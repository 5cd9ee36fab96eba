import { TokenChannel } from '../../src/common/access/token-kinds';
/** Queueing mail in tests the way the token services do, and reading what became of it. */
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { MailService } from '../../src/mail/mail.service';
import type { TokenCreatedMail } from '../../src/mail/mail.types';
import { eventually } from './fixtures';
import type { ReceivedMail, SmtpSink } from './smtp-sink';
import type { TestApp } from './test-app';

export const CREATED_SUBJECT = 'A personal API token was created on your Keyhold account';
export const REVOKED_SUBJECT = 'A personal API token was revoked on your Keyhold account';

/** Runs `work` the way a token service does: inside em.transactional in a request context. */
export async function inTransaction(
  t: Pick<TestApp, 'app'>,
  work: (mail: MailService) => Promise<void>,
): Promise<void> {
  const em = t.app.get(MikroORM).em.fork();
  const mail = t.app.get(MailService);
  await RequestContext.create(em, () => em.transactional(() => work(mail)));
}

/** Polls until `probe` yields something truthy; fails naming `what` after 15 s. */
export const waitFor = <T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
) => eventually(probe, 15_000, what);

let seq = 0;
/** A token-created mail with every field set and a token name no other test uses. */
export function created(overrides: Partial<TokenCreatedMail> = {}): TokenCreatedMail {
  seq += 1;
  return {
    to: 'owner@example.test',
    ownerName: 'Olive Owner',
    tokenName: `ci-deploy-${seq}-${process.pid}`,
    preview: 'khp_AbCdEfGh…1a2B',
    at: new Date('2026-11-23T10:11:12.000Z'),
    ip: '203.0.113.7',
    userAgent: 'curl/8.4.0 (x86_64-pc-linux-gnu)',
    channel: TokenChannel.Profile,
    ...overrides,
  };
}

/** The messages the sink received that name `name` in their text. */
export const withName = (sink: SmtpSink, name: string): ReceivedMail[] =>
  sink.messages.filter((message) => message.text.includes(name));

/** The outbox rows of the mail about `tokenName`. */
export async function outboxRow(t: Pick<TestApp, 'db'>, tokenName: string) {
  const { rows } = await t.db.sql.query<{
    status: string;
    attempts: number;
    last_error: string | null;
    message_id: string | null;
    recipient: string;
  }>(`select * from mail_outbox where payload->>'tokenName' = $1`, [tokenName]);
  return rows;
}
