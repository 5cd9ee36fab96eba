import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { cleanUserAgent } from '../common/http/request-meta';
import { AppConfig } from '../config/app-config';
import { ApiToken } from './api-token.entity';
import { NewIpRow, RECENT_IPS_KEPT, TokenUseRepository } from './token-use.repository';
import { TokenEvents } from './token-events.service';

export interface TokenUse {
  at: Date;
  method: string;
  /** As requested; scrubbed when written (off the request path, once per token and flush). */
  path: string;
  ip: string;
  /** The User-Agent header as sent; cleaned (scrubbed, bounded) when written. */
  userAgent: string | string[] | undefined;
}

interface PendingUse {
  latest: TokenUse;
  /** Distinct IPs of this interval, least recently seen first (Map order), at most 5. */
  ips: Map<string, { first: Date; last: Date }>;
}

/**
 * Buffers each token's latest use and its distinct client IPs in memory and writes them all in
 * one statement per flush interval (LAST_USED_FLUSH_MS), so recording never costs the request a
 * database round trip. The same statement answers which tokens were used from an IP they had
 * never used (after their first use); only those few cost another transaction (audit event, and
 * the owner's email at most once per token per hour). A final flush runs on shutdown.
 */
@Injectable()
export class LastUsedRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LastUsed');
  private pending = new Map<string, PendingUse>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Statements written so far (the benchmark reads it). */
  writes = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
    private readonly events: TokenEvents,
    private readonly uses: TokenUseRepository,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.tokens.lastUsedFlushMs);
    this.timer.unref();
  }

  record(tokenId: string, use: TokenUse): void {
    const entry = this.pending.get(tokenId);
    if (!entry) {
      this.pending.set(tokenId, {
        latest: use,
        ips: new Map([[use.ip, { first: use.at, last: use.at }]]),
      });
      return;
    }
    entry.latest = use;
    const seen = entry.ips.get(use.ip);
    if (seen) {
      seen.last = use.at;
      if (entry.ips.size > 1) {
        entry.ips.delete(use.ip);
        entry.ips.set(use.ip, seen);
      }
      return;
    }
    if (entry.ips.size >= RECENT_IPS_KEPT)
      entry.ips.delete(entry.ips.keys().next().value as string);
    entry.ips.set(use.ip, { first: use.at, last: use.at });
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
    let fresh: NewIpRow[];
    try {
      fresh = await this.write(rows);
      this.writes += 1;
    } catch (error) {
      // Keep the uses for the next attempt unless newer ones arrived meanwhile.
      for (const [id, use] of rows) if (!this.pending.has(id)) this.pending.set(id, use);
      this.logger.error({ err: error }, 'Could not record token last-used; will retry');
      return;
    }
    for (const row of fresh) {
      await this.alert(row).catch((error: unknown) =>
        this.logger.error({ err: error, tokenId: row.id }, 'Could not record a new token IP'),
      );
    }
  }

  private write(rows: [string, PendingUse][]): Promise<NewIpRow[]> {
    const uses = rows.map(([id, { latest, ips }]) => ({
      id,
      latest: { ...latest, userAgent: cleanUserAgent(latest.userAgent) },
      ips: [...ips].map(([ip, seen]) => ({ ip, first: seen.first, last: seen.last })),
    }));
    return this.uses.write(this.orm.em.fork(), uses);
  }

  /**
   * IPs the token had never used, after its first use: audited each, and the owner emailed
   * about the first of them unless they were emailed about this token within the hour.
   */
  private async alert(row: NewIpRow): Promise<void> {
    const known = new Set(row.old_ips.map((entry) => entry.ip));
    const fresh = row.batch_ips
      .filter((entry) => !known.has(entry.ip))
      .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
    // A never-used token's first IP is its first use, not a new one.
    if (!row.was_used && row.old_ips.length === 0) fresh.shift();
    if (fresh.length === 0) return;
    await this.orm.em.fork().transactional(async (em) => {
      const emailOwner = await this.uses.claimNewIpAlert(em, row.id);
      const token = await em.findOne(ApiToken, { id: row.id });
      if (!token) return;
      for (const [index, entry] of fresh.entries()) {
        const use = { ip: entry.ip, at: new Date(entry.firstSeenAt), userAgent: row.user_agent };
        await this.events.usedFromNewIp(token, use, index === 0 && emailOwner);
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
