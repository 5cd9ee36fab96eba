import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { CommonErrorCode, CommonException } from '../errors/common-errors';
import { FallbackThrottlerStorage } from './fallback-storage';

export interface RateLimit {
  /** Names the counter, e.g. `login-ip`. */
  bucket: string;
  limit: number;
  windowMs: number;
}

/**
 * Fixed-window counters on @nestjs/throttler's storage (in memory, or Redis when configured),
 * applied by the services that own each rule rather than by a blanket route guard.
 */
@Injectable()
export class RateLimitService {
  constructor(@Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage) {}

  /** Counts one hit; true once the window's limit is exceeded (for limits that slow, not refuse). */
  async isExceeded(rule: RateLimit, key: string): Promise<boolean> {
    return (await this.hit(rule, key)).isBlocked;
  }

  /** For readiness: Redis's state when it is configured. */
  redisState(): 'ok' | 'down' | 'not_configured' {
    if (!(this.storage instanceof FallbackThrottlerStorage)) return 'not_configured';
    return this.storage.redisReachable ? 'ok' : 'down';
  }

  /** Counts one hit; throws 429 with Retry-After once the window's limit is exceeded. */
  async consume(rule: RateLimit, key: string): Promise<void> {
    const record = await this.hit(rule, key);
    if (record.isBlocked) {
      const retryAfter = Math.max(1, Math.ceil(record.timeToBlockExpire));
      throw new CommonException(
        CommonErrorCode.RateLimited,
        `Too many attempts; try again in ${retryAfter} seconds.`,
        { headers: { 'retry-after': String(retryAfter) } },
      );
    }
  }

  private hit(rule: RateLimit, key: string) {
    return this.storage.increment(
      `${rule.bucket}:${key}`,
      rule.windowMs,
      rule.limit,
      rule.windowMs,
      rule.bucket,
    );
  }
}
