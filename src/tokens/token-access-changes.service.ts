import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PgListener } from '../database/pg-listener';
import { AccessChange, TokenCache } from './token-cache';

/** Records a change inside the transaction of `within`: NOTIFY now, local eviction after commit. */
export type RecordAccessChange = (change: AccessChange) => Promise<void>;

export const ACCESS_CHANNEL = 'keyhold_token_access';
export const LISTENER_NAME = 'keyhold-cache-listener';
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
  private readonly listener: PgListener;

  constructor(
    private readonly em: EntityManager,
    orm: MikroORM,
    private readonly cache: TokenCache,
    config: AppConfig,
  ) {
    this.listener = new PgListener({
      // LISTEN needs a session of its own: through PgBouncer (transaction pooling) it would not hold.
      url: config.database.listenUrl ?? orm.config.getClientUrl(),
      channel: ACCESS_CHANNEL,
      name: LISTENER_NAME,
      connectTimeoutMs: config.database.connectTimeoutMs,
      pingMs: PING_MS,
      queryTimeoutMs: PING_MS,
      onNotification: (payload) => this.applyRemote(payload),
      // Whatever happened while nobody listened is unknown: start from empty.
      onListening: () => this.cache.clear(),
      onLost: (error) => {
        this.cache.clear();
        this.logger.warn(
          { err: error },
          'Cache invalidation listener lost; cache emptied, reconnecting',
        );
      },
    });
  }

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

  onApplicationBootstrap(): Promise<void> {
    return this.listener.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.listener.stop();
  }

  /** True while invalidations from other instances are being received; only then may the cache be filled. */
  get listening(): boolean {
    return this.listener.listening;
  }

  private applyRemote(payload: string): void {
    if (!payload) return;
    try {
      this.cache.apply(JSON.parse(payload) as AccessChange);
    } catch {
      this.cache.clear();
    }
  }
}
