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
import { ClaimedMessage, MailOutbox } from './mail-outbox';
import { oneLine, renderMail } from './mail-templates';
import { MailTransport } from './mail-transport';

export const POLL_INTERVAL_MS = 250;
const BATCH_SIZE = 10;
// Far above the worst single send (SMTP timeouts are 10 s / 10 s / 30 s), so a live worker
// never loses a row it is still sending; only a dead worker's lease runs out.
const LEASE_MS = 5 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;
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
 * Delivers the outbox: polls every POLL_INTERVAL_MS, and right away when MailService reports a
 * committed enqueue in this process. Any number of instances run one each on the same table.
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
  private lastSweep = 0;
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
  ) {}

  onModuleInit(): void {
    // Forks share or clone the root event manager, so this sees every root commit in the app.
    // Savepoint releases raise no event: an enqueue inside a nested transaction is left to the
    // next poll, which is at most POLL_INTERVAL_MS away.
    this.orm.em.getEventManager().registerSubscriber({
      afterTransactionCommit: ({ transaction }) => {
        if (transaction && this.awaitingCommit.delete(transaction as object)) this.kick();
      },
    });
  }

  onApplicationBootstrap(): void {
    this.logger.log(`Mail delivery: ${this.transport.describe()}`);
    this.started = true;
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.flushUntil = Date.now() + SHUTDOWN_FLUSH_MS;
    clearTimeout(this.timer);
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
    this.timer = setTimeout(() => this.run(), delayMs);
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    this.cycle = this.drain().finally(() => {
      this.cycle = undefined;
      if (!this.stopping) this.schedule(this.again ? 0 : POLL_INTERVAL_MS);
      this.again = false;
    });
  }

  /** Never rejects: a database hiccup is logged (once per outage) and the next poll retries. */
  private async drain(): Promise<void> {
    const maxAttempts = this.config.mail.maxAttempts;
    try {
      if (Date.now() - this.lastSweep >= SWEEP_EVERY_MS) {
        this.lastSweep = Date.now();
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
        ...renderMail(message.kind, message.payload),
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
   * expire and the message be sent again. A few quick retries before giving up.
   */
  private async recordSent(message: ClaimedMessage, messageId: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.outbox.markSent(message, messageId);
      } catch (error) {
        if (attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  private async recordFailure(message: ClaimedMessage, error: string): Promise<void> {
    const { maxAttempts, retryBaseMs } = this.config.mail;
    const context = { outboxId: message.id, kind: message.kind, attempts: message.attempts, error };
    if (message.attempts >= maxAttempts) {
      await this.outbox.markFailed(message, error);
      this.logger.error(
        context,
        `Mail delivery failed for good after ${message.attempts} attempts`,
      );
      return;
    }
    const retryInMs = retryDelayMs(message.attempts, retryBaseMs);
    await this.outbox.markRetry(message, retryInMs, error);
    this.logger.warn({ ...context, retryInMs }, 'Mail delivery failed; will retry');
  }
}
