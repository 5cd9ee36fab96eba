import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// Redis must never make a request wait: a command fails fast rather than queueing while
// disconnected, and a hanging server is given this long before the local counters take over.
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 1_000;
const RECONNECT_MAX_MS = 5_000;

/**
 * Rate-limit counters in Redis (shared by every instance) that fall back to this process's memory
 * while Redis is unreachable: one warning when it goes away, one message when it is back, and no
 * request ever fails or waits because of it (SPEC §5a). Limits are per instance meanwhile.
 */
export class FallbackThrottlerStorage
  implements ThrottlerStorage, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('RateLimits');
  private readonly memory = new ThrottlerStorageService();
  private readonly redis: Redis;
  private readonly shared: ThrottlerStorageRedisService;
  private degraded = false;

  constructor(url: string, keyPrefix: string) {
    this.redis = new Redis(url, {
      keyPrefix,
      enableOfflineQueue: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_MAX_MS),
    });
    // Without a listener ioredis prints every failed reconnect as an "Unhandled error event".
    this.redis.on('error', (error: Error) => this.degrade(error));
    this.redis.on('close', () => this.degrade());
    this.redis.on('ready', () => this.recover());
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  /** Whether the shared counters are in use right now. */
  get redisReachable(): boolean {
    return this.redis.status === 'ready';
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    if (this.redis.status === 'ready') {
      try {
        return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.degrade(error);
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** Gives Redis its connect timeout before the first request, so a healthy start shares counters. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.redis.status === 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
      this.redis.once('ready', resolve);
    });
    clearTimeout(timer);
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
    this.redis.disconnect();
  }

  private degrade(error?: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    const reason = error instanceof Error ? error.message : 'connection closed';
    this.logger.warn(
      { reason },
      'Redis unreachable: rate limits fall back to per-instance memory until it is back',
    );
  }

  private recover(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('Redis reachable again: rate limits are shared again');
  }
}
