import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

export interface TokenUse {
  at: Date;
  method: string;
  path: string;
  ip: string;
  userAgent: string;
}

/**
 * Buffers each token's latest use in memory and writes them all in one statement per flush
 * interval (LAST_USED_FLUSH_MS), so recording never costs the request a database round trip.
 * A final flush runs on shutdown.
 */
@Injectable()
export class LastUsedRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LastUsed');
  private pending = new Map<string, TokenUse>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Statements written so far (the benchmark reads it). */
  writes = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.tokens.lastUsedFlushMs);
    this.timer.unref();
  }

  record(tokenId: string, use: TokenUse): void {
    this.pending.set(tokenId, use);
  }

  /** Writes what is buffered; concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch());
    return this.flushing;
  }

  private async writeBatch(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch.entries()];
    const values = rows.map(() => '(?::uuid, ?::timestamptz, ?, ?, ?, ?)').join(', ');
    const params = rows.flatMap(([id, use]) => [
      id,
      use.at.toISOString(),
      use.method.slice(0, 16),
      use.path.slice(0, 2048),
      use.ip.slice(0, 64),
      use.userAgent.slice(0, 512),
    ]);
    try {
      // "last_used_at < v.at" keeps a slower instance from moving last-used backwards.
      await this.orm.em
        .fork()
        .getConnection()
        .execute(
          `update api_token t set last_used_at = v.at, last_used_method = v.method, last_used_path = v.path,
           last_used_ip = v.ip, last_used_user_agent = v.ua
         from (values ${values}) as v(id, at, method, path, ip, ua)
         where t.id = v.id and (t.last_used_at is null or t.last_used_at < v.at)`,
          params,
        );
      this.writes += 1;
    } catch (error) {
      // Keep the uses for the next attempt unless newer ones arrived meanwhile.
      for (const [id, use] of rows) if (!this.pending.has(id)) this.pending.set(id, use);
      this.logger.error({ err: error }, 'Could not record token last-used; will retry');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
