import { AsyncResource } from 'node:async_hooks';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ApiToken } from './api-token.entity';
import { TokenEvents } from './token-events.service';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// Due reminders another instance holds are left to it; look again after this long, no sooner.
const MIN_DELAY_MS = 1_000;
const RETRY_AFTER_ERROR_MS = 60_000;
const BATCH = 100;

// Live tokens with a notice still to send (the partial index api_token_expiry_notice_index).
const PENDING = `t.revoked_at is null and t.rotated_to_id is null and t.expires_at is not null
  and (t.last_notice_days is null or t.last_notice_days > 0)`;
// A notice `d` days before expiry that is not sent yet and whose time had not passed at creation.
const ELIGIBLE = `d < coalesce(t.last_notice_days, 2147483647)
  and (d = 0 or t.expires_at - d * interval '1 day' > t.created_at)`;

/**
 * Expiry reminders (SPEC §2a): owners are emailed TOKEN_EXPIRY_REMINDER_DAYS before a token
 * expires and once when it has. Each instance sweeps at start, at the next due time and at
 * least hourly; a sweep claims due tokens with FOR UPDATE SKIP LOCKED and, in the same
 * transaction, records the notice as sent, audits and queues the mail through the outbox, so
 * each notice goes out exactly once however many instances run. When several notices are due
 * at once (an instance was down), only the most imminent one is sent.
 */
@Injectable()
export class TokenExpiryReminders implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExpiryReminders');
  private readonly noticeDays: number[];
  /** The same as a PostgreSQL array literal (the driver would expand a JS array into a list). */
  private readonly noticeDaysSql: string;
  private timer?: NodeJS.Timeout;
  private nextAt = Infinity;
  private running?: Promise<void>;
  private stopped = false;
  /** Timers armed from a request must not carry its EntityManager context into the sweep. */
  private readonly armDetached = AsyncResource.bind((delayMs: number) => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
    this.timer.unref();
  });

  constructor(
    private readonly orm: MikroORM,
    private readonly events: TokenEvents,
    private readonly config: AppConfig,
  ) {
    this.noticeDays = [...config.tokens.expiryReminderDays, 0];
    this.noticeDaysSql = `{${this.noticeDays.join(',')}}`;
  }

  onApplicationBootstrap(): void {
    this.arm(Date.now());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** A token was created or rotated in: wake up for its first notice if that comes sooner. */
  tokenIssued(token: ApiToken): void {
    if (!token.expiresAt) return;
    const expires = token.expiresAt.getTime();
    for (const days of this.noticeDays) {
      const at = expires - days * DAY_MS;
      if (days === 0 || at > token.createdAt.getTime()) {
        this.arm(at);
        return;
      }
    }
  }

  /** Sweeps now (joining a sweep already running); the timer calls it, and so may tests. */
  sweepNow(): Promise<void> {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
    return this.running;
  }

  private arm(at: number): void {
    if (!this.config.backgroundWork || this.stopped || at >= this.nextAt) return;
    this.nextAt = at;
    this.armDetached(Math.max(0, at - Date.now()));
  }

  private run(): void {
    this.nextAt = Infinity;
    void this.sweepNow();
  }

  private async sweep(): Promise<void> {
    let next: number;
    try {
      while ((await this.claimBatch()) === BATCH && !this.stopped);
      next = await this.nextDue();
    } catch (error) {
      this.logger.warn({ err: error }, 'Expiry reminder sweep failed; will retry');
      next = Date.now() + RETRY_AFTER_ERROR_MS;
    }
    const now = Date.now();
    this.arm(Math.min(Math.max(next, now + MIN_DELAY_MS), now + HOUR_MS));
  }

  /** One transaction: claim up to BATCH due tokens, mark their notice sent, audit and queue mail. */
  private claimBatch(): Promise<number> {
    return this.orm.em.fork().transactional(async (em: EntityManager) => {
      const due = await em.execute<{ id: string; days: number }[]>(
        `with due as (
           select t.id, (select min(d) from unnest(?::integer[]) d
               where ${ELIGIBLE} and t.expires_at - d * interval '1 day' <= now()) as days
           from api_token t
           where ${PENDING} and t.expires_at <= now() + ?::integer * interval '1 day'
             and exists (select 1 from unnest(?::integer[]) d
               where ${ELIGIBLE} and t.expires_at - d * interval '1 day' <= now())
           order by t.expires_at limit ? for update of t skip locked)
         update api_token t set last_notice_days = due.days from due
         where t.id = due.id and due.days is not null
         returning t.id, due.days as days`,
        [this.noticeDaysSql, this.noticeDays[0], this.noticeDaysSql, BATCH],
      );
      if (due.length === 0) return 0;
      const tokens = await em.find(ApiToken, { id: { $in: due.map((row) => row.id) } });
      const byId = new Map(tokens.map((token) => [token.id, token]));
      const owners = await this.events.ownersOf(tokens);
      for (const row of due) {
        const token = byId.get(row.id);
        if (token) await this.events.expiryNotice(token, row.days, owners.get(token.userId));
      }
      return due.length;
    });
  }

  /** The earliest notice not yet sent, within the next hour (the sweep runs hourly anyway). */
  private async nextDue(): Promise<number> {
    const rows = await this.orm.em.fork().execute<{ next: Date | null }[]>(
      `select min(t.expires_at - d * interval '1 day') as next
       from api_token t cross join unnest(?::integer[]) d
       where ${PENDING} and ${ELIGIBLE}
         and t.expires_at <= now() + ?::integer * interval '1 day' + interval '1 hour'`,
      [this.noticeDaysSql, this.noticeDays[0]],
    );
    const next = rows[0]?.next;
    return next ? new Date(next).getTime() : Infinity;
  }
}
