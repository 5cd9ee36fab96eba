import { Global, Module } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { FallbackThrottlerStorage } from './fallback-storage';
import { RateLimitService } from './rate-limit.service';

/**
 * Counters in Redis when REDIS_URL is set (shared by every instance, with a per-instance fallback
 * while it is unreachable), else in this process.
 */
@Global()
@Module({
  providers: [
    {
      provide: ThrottlerStorage,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.redis.url
          ? new FallbackThrottlerStorage(config.redis.url, config.redis.keyPrefix)
          : new ThrottlerStorageService(),
    },
    RateLimitService,
  ],
  exports: [RateLimitService],
})
export class RateLimitModule {}
