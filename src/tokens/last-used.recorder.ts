import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ApiToken, RecentIp } from './api-token.entity';
import { TokenEvents } from './token-events.service';

export interface TokenUse {
  at: Date;
  method: string;
  path: string;
  ip: string;
  userAgent: string;
}

export const RECENT_IPS_KEPT = 5;

interface PendingUse {
  latest: TokenUse;
  /** Distinct IPs of this interval, least recently seen first (Map order), at most 5. */
  ips: Map<string, { first: Date; last: Date }>;
}

interface NewIpRow {
  id: string;
  batch_ips: RecentIp[];
  old_ips: RecentIp[];
  was_used: boolean;
  user_agent: string;
}

// The stored list and this interval's IPs, one entry per IP, the 5 seen last (newest first).
const MERGED_IPS = `(select coalesce(jsonb_agg(jsonb_build_object(
    'ip', m.ip, 'firstSeenAt', m.first, 'lastSeenAt', m.last) order by m.last desc), '[]'::jsonb)
  from (select x->>'ip' as ip, min(x->>'firstSeenAt') as first, max(x->>'lastSeenAt') as last
        from jsonb_array_elements(t.recent_ips || v.ips) x
        group by x->>'ip' order by max(x->>'lastSeenAt') desc limit ${RECENT_IPS_KEPT}) m)`;
const NEWER = '(t.last_used_at is null or t.last_used_at < v.at)';

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

  private async write(rows: [string, PendingUse][]): Promise<NewIpRow[]> {
    const values = rows.map(() => '(?::uuid, ?::timestamptz, ?, ?, ?, ?, ?::jsonb)').join(', ');
    const params = rows.flatMap(([id, { latest, ips }]) => [
      id,
      latest.at.toISOString(),
      latest.method.slice(0, 16),
      latest.path.slice(0, 2048),
      latest.ip.slice(0, 64),
      latest.userAgent.slice(0, 512),
      JSON.stringify(
        [...ips].map(([ip, seen]) => ({
          ip: ip.slice(0, 64),
          firstSeenAt: seen.first.toISOString(),
          lastSeenAt: seen.last.toISOString(),
        })),
      ),
    ]);
    // "Newer" keeps a slower instance from moving last-used backwards; IPs always merge. `o` is
    // the row as it was, to tell which IPs are new.
    return this.orm.em
      .fork()
      .getConnection()
      .execute<NewIpRow[]>(
        `with v(id, at, method, path, ip, ua, ips) as (values ${values}),
       written as (
         update api_token t set
           last_used_at = case when ${NEWER} then v.at else t.last_used_at end,
           last_used_method = case when ${NEWER} then v.method else t.last_used_method end,
           last_used_path = case when ${NEWER} then v.path else t.last_used_path end,
           last_used_ip = case when ${NEWER} then v.ip else t.last_used_ip end,
           last_used_user_agent = case when ${NEWER} then v.ua else t.last_used_user_agent end,
           recent_ips = ${MERGED_IPS}
         from v, api_token o
         where t.id = v.id and o.id = t.id
         returning t.id, v.ips as batch_ips, o.recent_ips as old_ips,
           (o.last_used_at is not null) as was_used, v.ua as user_agent)
       select * from written w where exists (
         select 1 from jsonb_array_elements(w.batch_ips) b where not exists (
           select 1 from jsonb_array_elements(w.old_ips) x where x->>'ip' = b->>'ip'))`,
        params,
      );
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
      const claimed = await em.execute<{ id: string }[]>(
        `update api_token set new_ip_alerted_at = now()
         where id = ? and (new_ip_alerted_at is null or new_ip_alerted_at <= now() - interval '1 hour')
         returning id`,
        [row.id],
      );
      const token = await em.findOne(ApiToken, { id: row.id });
      if (!token) return;
      for (const [index, entry] of fresh.entries()) {
        const use = { ip: entry.ip, at: new Date(entry.firstSeenAt), userAgent: row.user_agent };
        await this.events.usedFromNewIp(token, use, index === 0 && claimed.length > 0);
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
