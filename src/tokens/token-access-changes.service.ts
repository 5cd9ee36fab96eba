import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { pingWithoutTransaction } from '../database/pg-listener';
import { AccessChange, TokenCache } from './token-cache';

/** Records a change inside the transaction of `within`: NOTIFY now, local eviction after commit. */
export type RecordAccessChange = (change: AccessChange) => Promise<void>;

export const ACCESS_CHANNEL = 'keyhold_token_access';
export const LISTENER_NAME = 'keyhold-cache-listener';
const RECONNECT_MAX_MS = 5_000;
// A half-open TCP connection would look alive forever: prove it answers this often.
const PING_MS = 5_000;

/**
 * Spreads token-access changes (revocation, permission, membership) to every instance:
 * NOTIFY is sent inside the changing transaction, so other instances hear only committed
 * changes; each instance LISTENs on a dedicated connection and evicts its cache. While that
 * connection is down the cache is emptied and the TTL bounds staleness.
 */
@Injectable()
export class TokenAccessChanges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenAccessChanges');
  private client?: Client;
  private stopped = false;
  private reconnectDelay = 100;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    private readonly orm: MikroORM,
    private readonly cache: TokenCache,
    private readonly config: AppConfig,
  ) {}

  /**
   * The one way to change who may use which token (revocation, rotation, permission, superuser,
   * deactivation, membership): runs `work` in a transaction; each change it records is NOTIFYed
   * inside it (other instances evict when it commits, never for a rolled-back change) and evicted
   * here after the commit (this instance's very next request sees it).
   */
  async within<T>(
    work: (em: EntityManager, changed: RecordAccessChange) => Promise<T>,
  ): Promise<T> {
    const changes: AccessChange[] = [];
    const result = await this.em.transactional((em) =>
      work(em, async (change) => {
        await em.execute('select pg_notify(?, ?)', [ACCESS_CHANNEL, JSON.stringify(change)]);
        changes.push(change);
      }),
    );
    for (const change of changes) this.cache.apply(change);
    return result;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    await this.client?.end().catch(() => undefined);
  }

  /** True while invalidations from other instances are being received; only then may the cache be filled. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  private async listen(): Promise<void> {
    const client = new Client({
      // LISTEN needs a session of its own: through PgBouncer (transaction pooling) it would not hold.
      connectionString: this.config.database.listenUrl ?? this.orm.config.getClientUrl(),
      connectionTimeoutMillis: this.config.database.connectTimeoutMs,
      keepAlive: true,
      application_name: LISTENER_NAME,
      query_timeout: PING_MS,
    });
    client.on('notification', (message) => {
      if (message.channel !== ACCESS_CHANNEL || !message.payload) return;
      try {
        this.cache.apply(JSON.parse(message.payload) as AccessChange);
      } catch {
        this.cache.clear();
      }
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${ACCESS_CHANNEL}`);
      // Whatever happened while nobody listened is unknown: start from empty.
      this.cache.clear();
      this.client = client;
      this.reconnectDelay = 100;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => {
        // No transaction: an idle instance must cost the database (almost) nothing (SPEC §10).
        pingWithoutTransaction(client, PING_MS).catch((error: unknown) => this.lost(client, error));
      }, PING_MS);
      this.pingTimer.unref();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client && this.client !== client) return;
    this.client = undefined;
    clearInterval(this.pingTimer);
    this.cache.clear();
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(
      { err: error },
      'Cache invalidation listener lost; cache emptied, reconnecting',
    );
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.listen(), this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }
}
