import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { scrubText } from '../common/secrets';
import { RecentIp } from './api-token.entity';

export const RECENT_IPS_KEPT = 5;

/** One token's uses of a flush interval: the latest, and its distinct IPs. */
export interface BufferedUse {
  id: string;
  latest: { at: Date; method: string; path: string; ip: string; userAgent: string };
  ips: { ip: string; first: Date; last: Date }[];
}

export interface NewIpRow {
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

/** The api_token statements of last-used recording (LastUsedRecorder): one per flush. */
@Injectable()
export class TokenUseRepository {
  /**
   * Writes a batch in one statement; answers the tokens used from an IP not in their stored list.
   */
  write(em: EntityManager, uses: BufferedUse[]): Promise<NewIpRow[]> {
    const values = uses.map(() => '(?::uuid, ?::timestamptz, ?, ?, ?, ?, ?::jsonb)').join(', ');
    const params = uses.flatMap(({ id, latest, ips }) => [
      id,
      latest.at.toISOString(),
      latest.method.slice(0, 16),
      // Scrubbed here, once per flush and off the request path: a token pasted into a path.
      scrubText(latest.path).slice(0, 2048),
      latest.ip.slice(0, 64),
      latest.userAgent.slice(0, 512),
      JSON.stringify(
        ips.map((seen) => ({
          ip: seen.ip.slice(0, 64),
          firstSeenAt: seen.first.toISOString(),
          lastSeenAt: seen.last.toISOString(),
        })),
      ),
    ]);
    // "Newer" keeps a slower instance from moving last-used backwards; IPs always merge. `o` is
    // the row as it was, to tell which IPs are new.
    return em.getConnection().execute<NewIpRow[]>(
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

  /** Claims the hourly new-IP email for a token (inside the caller's transaction); false if taken. */
  async claimNewIpAlert(em: EntityManager, tokenId: string): Promise<boolean> {
    const claimed = await em.execute<{ id: string }[]>(
      `update api_token set new_ip_alerted_at = now()
       where id = ? and (new_ip_alerted_at is null or new_ip_alerted_at <= now() - interval '1 hour')
       returning id`,
      [tokenId],
    );
    return claimed.length > 0;
  }
}
