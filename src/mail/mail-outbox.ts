import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { MailKind, OutboxPayload } from './mail.types';

/** A row a worker holds the lease on; `attempts` (already counting this one) fences every update. */
export interface ClaimedMessage {
  id: string;
  kind: MailKind;
  recipient: string;
  payload: OutboxPayload;
  attempts: number;
}

/** NOTIFYed by the enqueuing transaction: every instance's worker wakes when it commits. */
export const OUTBOX_CHANNEL = 'keyhold_mail_outbox';

const DUE = `status = 'pending' and next_attempt_at <= now()
  and (locked_until is null or locked_until <= now())`;
// Every update after the claim names the row *and* the attempt it claimed: if the lease ever
// ran out and another worker re-claimed the row, attempts moved on and the stale update is void.
const FENCE = `id = ? and status = 'pending' and attempts = ?`;

/**
 * The worker's side of `mail_outbox`, on forks of the root EntityManager (no request here).
 *
 * Claiming takes a lease rather than holding the row lock while talking to SMTP: the claiming
 * transaction (SKIP LOCKED, so instances never wait on or take each other's rows) commits at
 * once with `locked_until` set, then the message is sent with no transaction open. Holding the
 * lock instead would pin a pooled connection and an open transaction for as long as a slow or
 * dead SMTP server takes, on every instance. A worker that dies mid-send leaves a lease that
 * simply expires, after which another instance retries the row.
 */
@Injectable()
export class MailOutbox {
  constructor(private readonly orm: MikroORM) {}

  /** Rows past their last allowed attempt (a worker died sending it, or the limit was lowered). */
  async failExhausted(maxAttempts: number): Promise<{ id: string; attempts: number }[]> {
    return this.orm.em.fork().execute<{ id: string; attempts: number }[]>(
      `with stale as (
         select id from mail_outbox where ${DUE} and attempts >= ? for update skip locked)
       update mail_outbox m set status = 'failed', locked_until = null,
         last_error = coalesce(m.last_error, 'no attempt completed')
       from stale where m.id = stale.id
       returning m.id, m.attempts`,
      [maxAttempts],
    );
  }

  /** Claims up to `limit` due rows for `leaseMs`, counting the attempt now. */
  async claim(limit: number, leaseMs: number, maxAttempts: number): Promise<ClaimedMessage[]> {
    return this.orm.em.fork().transactional((em) =>
      em.execute<ClaimedMessage[]>(
        `with due as (
           select id from mail_outbox where ${DUE} and attempts < ?
           order by next_attempt_at limit ? for update skip locked)
         update mail_outbox m set attempts = m.attempts + 1,
           locked_until = now() + ?::integer * interval '1 millisecond'
         from due where m.id = due.id
         returning m.id, m.kind, m.recipient, m.payload, m.attempts`,
        [maxAttempts, limit, leaseMs],
      ),
    );
  }

  /**
   * Milliseconds until the earliest pending row becomes claimable (its retry time or the end of
   * its lease), or null when nothing is pending: the worker sleeps exactly that long.
   */
  async nextDueInMs(maxAttempts: number): Promise<number | null> {
    const [row] = await this.orm.em.fork().execute<{ ms: string | number | null }[]>(
      `select extract(epoch from min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at)))
         - now()) * 1000 as ms
       from mail_outbox where status = 'pending' and attempts < ?`,
      [maxAttempts],
    );
    return row?.ms === null || row?.ms === undefined ? null : Math.max(0, Number(row.ms));
  }

  /** False when the lease had been lost (another worker owns the row now). */
  async markSent(message: ClaimedMessage, messageId: string): Promise<boolean> {
    return this.update(
      `status = 'sent', sent_at = now(), message_id = ?, locked_until = null`,
      [messageId],
      message,
    );
  }

  async markRetry(message: ClaimedMessage, delayMs: number, error: string): Promise<boolean> {
    return this.update(
      `locked_until = null, last_error = ?,
       next_attempt_at = now() + ?::integer * interval '1 millisecond'`,
      [error, delayMs],
      message,
    );
  }

  async markFailed(message: ClaimedMessage, error: string): Promise<boolean> {
    return this.update(`status = 'failed', locked_until = null, last_error = ?`, [error], message);
  }

  /** Hands a claimed but unsent row back at once (shutdown), without counting the attempt. */
  async release(message: ClaimedMessage): Promise<boolean> {
    return this.update(`attempts = attempts - 1, locked_until = null`, [], message);
  }

  private async update(set: string, params: unknown[], message: ClaimedMessage): Promise<boolean> {
    const rows = await this.orm.em
      .fork()
      .execute<{ id: string }[]>(`update mail_outbox set ${set} where ${FENCE} returning id`, [
        ...params,
        message.id,
        message.attempts,
      ]);
    return rows.length === 1;
  }
}
