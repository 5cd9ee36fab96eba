import { AsyncResource } from 'node:async_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { scrubSecrets } from '../common/secrets';
import { AppConfig } from '../config/app-config';
import { retryDelayMs } from './backoff';
import { PgListener } from '../database/pg-listener';
import { ClaimedMessage, MailOutbox, OUTBOX_CHANNEL } from './mail-outbox';
import { oneLine, renderOutboxMail } from './mail-templates';
import { MailTransport } from './mail-transport';

const BATCH_SIZE = 10;
// Far above the worst single send (SMTP timeouts are 10 s / 10 s / 30 s), so a live worker
// never loses a row it is still sending; only a dead worker's lease runs out.
const LEASE_MS = 5 * 60 * 1000;
// The safety net under NOTIFY and the due-time timer (a notification lost while the listener
// was reconnecting, another instance's retry whose worker died): one claim a minute when idle.
export const SAFETY_SWEEP_MS = 60 * 1000;
// Rows stuck past their last attempt are rare (a worker died mid-send): checked less often.
const EXHAUSTED_SWEEP_MS = 5 * 60 * 1000;
// A row due but not claimable (locked by a concurrent claim) is retried after this, not at once.
const MIN_WAKE_MS = 250;
// While the database fails, the worker retries after 1 s, 2 s, ... up to this.
const FAILED_RETRY_MAX_MS = 10_000;
// On shutdown, queued mail is sent for at most this long; the rest waits for another instance.
const SHUTDOWN_FLUSH_MS = 5_000;

/** One line, no secrets, bounded: what gets stored in last_error and logged. */
export function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${message}`;
  return oneLine(scrubSecrets(text).replace(/\/\/[^/@\s]+@/g, '//[redacted]@'), 500);
}

/**
 * Delivers the outbox without polling: it wakes on NOTIFY from an enqueuing transaction (any
 * instance), right away when MailService reports a committed enqueue in this process, at the next
 * due time it knows of (a retry's backoff, a lease's end), and otherwise once per SAFETY_SWEEP_MS.
 * Any number of instances run one each on the same table.
 */
@Injectable()
export class MailWorker implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MailWorker');
  private readonly awaitingCommit = new WeakSet<object>();
  private timer?: NodeJS.Timeout;
  private cycle?: Promise<void>;
  private again = false;
  private started = false;
  private stopping = false;
  private flushUntil = Infinity;
  private pollFailing = false;
  private lastExhaustedSweep = 0;
  private claimedInCycle = false;
  private failedCycles = 0;
  private knowsSchedule = false;
  /** When the earliest known pending row becomes due (epoch ms); Infinity when none is known. */
  private nextDueAt = Infinity;
  private readonly listener: PgListener;
  /**
   * A kick comes from a request's commit; bound here (at construction, outside any request) so
   * that the polling it starts never carries that request's EntityManager context along.
   */
  private readonly runDetached = AsyncResource.bind(() => this.run());

  constructor(
    private readonly orm: MikroORM,
    private readonly outbox: MailOutbox,
    private readonly transport: MailTransport,
    private readonly config: AppConfig,
  ) {
    this.listener = new PgListener({
      url: config.database.listenUrl ?? orm.config.getClientUrl(),
      channel: OUTBOX_CHANNEL,
      name: 'keyhold-mail-listener',
      connectTimeoutMs: config.database.connectTimeoutMs,
      // A dead listener only delays mail until the safety sweep: no ping (and no cost) needed.
      pingMs: 0,
      onNotification: () => {
        // Another instance changed the outbox: what this one knew of the schedule may be stale.
        this.knowsSchedule = false;
        this.kick();
      },
      // Whatever was enqueued while nobody listened is picked up at once.
      onListening: () => this.kick(),
      onLost: (error) =>
        this.logger.warn(
          { error: describeError(error) },
          'Mail outbox listener lost; reconnecting',
        ),
    });
  }

  onModuleInit(): void {
    // Forks share or clone the root event manager, so this sees every root commit in the app.
    // Savepoint releases raise no event: an enqueue inside a nested transaction is left to the
    // NOTIFY it sent, which is delivered when the outer transaction commits.
    this.orm.em.getEventManager().registerSubscriber({
      afterTransactionCommit: ({ transaction }) => {
        if (transaction && this.awaitingCommit.delete(transaction as object)) this.kick();
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.backgroundWork) return;
    this.logger.log(`Mail delivery: ${this.transport.describe()}`);
    this.started = true;
    this.schedule(0);
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.flushUntil = Date.now() + SHUTDOWN_FLUSH_MS;
    clearTimeout(this.timer);
    await this.listener.stop();
    await this.cycle;
    // A last pass flushes what is queued; past the deadline, claimed messages not yet started
    // are handed back for another instance (or the next start).
    if (this.started) await this.drain();
    this.transport.close();
  }

  /** An outbox row was written: in `transaction` (kick once it commits) or already committed. */
  enqueued(transaction: object | undefined): void {
    if (transaction) this.awaitingCommit.add(transaction);
    else this.kick();
  }

  kick(): void {
    if (!this.started || this.stopping) return;
    if (this.cycle) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.runDetached();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.runDetached(), delayMs);
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    this.cycle = this.drain()
      .then(() => this.planNextWake())
      .finally(() => {
        this.cycle = undefined;
        if (this.stopping) return;
        const again = this.again;
        this.again = false;
        if (again) return this.schedule(0);
        const untilDue = this.nextDueAt - Date.now();
        this.schedule(Math.max(MIN_WAKE_MS, Math.min(SAFETY_SWEEP_MS, untilDue)));
      });
  }

  /**
   * After a cycle that handled mail, asks the table when the next pending row is due (retries
   * and leases this cycle set, or another instance's). An idle cycle asks nothing: what it knew
   * still holds, and the safety sweep covers the rest.
   */
  private async planNextWake(): Promise<void> {
    if (this.pollFailing) {
      // The outbox could not be read or settled: try again soon (backing off), not at the sweep.
      this.failedCycles += 1;
      this.nextDueAt = Date.now() + Math.min(FAILED_RETRY_MAX_MS, 500 * 2 ** this.failedCycles);
      return;
    }
    this.failedCycles = 0;
    // A due time that passed during this cycle (a retry due moments after the claim looked) must
    // not be forgotten: ask the table again rather than sleeping until the safety sweep.
    if (this.nextDueAt <= Date.now()) this.knowsSchedule = false;
    if ((this.knowsSchedule && !this.claimedInCycle) || this.stopping) return;
    try {
      const ms = await this.outbox.nextDueInMs(this.config.mail.maxAttempts);
      this.nextDueAt = ms === null ? Infinity : Date.now() + ms;
      this.knowsSchedule = true;
    } catch {
      // The database is unreachable: the drain already logged it; retry at a due time soon.
      this.nextDueAt = Date.now() + 1_000;
    }
  }

  /** Never rejects: a database hiccup is logged (once per outage) and the next wake retries. */
  private async drain(): Promise<void> {
    const maxAttempts = this.config.mail.maxAttempts;
    this.claimedInCycle = false;
    try {
      if (Date.now() - this.lastExhaustedSweep >= EXHAUSTED_SWEEP_MS) {
        this.lastExhaustedSweep = Date.now();
        for (const row of await this.outbox.failExhausted(maxAttempts)) {
          this.logger.error(
            { outboxId: row.id, attempts: row.attempts },
            'Mail delivery failed for good: no attempt left after an interrupted send',
          );
        }
      }
      let batch: ClaimedMessage[];
      do {
        batch = await this.outbox.claim(BATCH_SIZE, LEASE_MS, maxAttempts);
        if (batch.length > 0) this.claimedInCycle = true;
        for (const [index, message] of batch.entries()) {
          if (Date.now() >= this.flushUntil) {
            for (const unsent of batch.slice(index)) await this.outbox.release(unsent);
            return;
          }
          await this.deliver(message);
        }
      } while (batch.length === BATCH_SIZE && Date.now() < this.flushUntil);
      if (this.pollFailing) this.logger.log('Mail outbox reachable again');
      this.pollFailing = false;
    } catch (error) {
      // Rows this cycle had claimed but not settled keep their lease and come back when it ends.
      if (!this.pollFailing) {
        this.logger.warn({ error: describeError(error) }, 'Mail outbox poll failed; retrying');
      }
      this.pollFailing = true;
    }
  }

  private async deliver(message: ClaimedMessage): Promise<void> {
    let messageId: string;
    try {
      messageId = await this.transport.send({
        id: message.id,
        to: message.recipient,
        ...renderOutboxMail(message.kind, message.payload),
      });
    } catch (error) {
      await this.recordFailure(message, describeError(error));
      return;
    }
    if (!(await this.recordSent(message, messageId))) {
      this.logger.warn(
        { outboxId: message.id },
        'Mail sent after its lease ran out; another worker may have sent it too',
      );
    }
  }

  /**
   * The message is out: recording that must not be lost to a database blip, or the lease would
   * expire and the message be sent again.
   */
  private recordSent(message: ClaimedMessage, messageId: string): Promise<boolean> {
    return persistently(() => this.outbox.markSent(message, messageId));
  }

  private async recordFailure(message: ClaimedMessage, error: string): Promise<void> {
    const { maxAttempts, retryBaseMs } = this.config.mail;
    const context = { outboxId: message.id, kind: message.kind, attempts: message.attempts, error };
    if (message.attempts >= maxAttempts) {
      await persistently(() => this.outbox.markFailed(message, error));
      this.logger.error(
        context,
        `Mail delivery failed for good after ${message.attempts} attempts`,
      );
      return;
    }
    const retryInMs = retryDelayMs(message.attempts, retryBaseMs);
    // Lost to a database blip, the row would sit out its whole lease instead of its backoff.
    await persistently(() => this.outbox.markRetry(message, retryInMs, error));
    this.logger.warn({ ...context, retryInMs }, 'Mail delivery failed; will retry');
  }
}

/** A few quick retries (0.1 s to 0.8 s apart) before a settling update gives up. */
async function persistently<T>(update: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await update();
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
