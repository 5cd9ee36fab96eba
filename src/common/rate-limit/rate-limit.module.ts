import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Global, Module } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { RateLimitService } from './rate-limit.service';

/** Counters in Redis when REDIS_URL is set (shared by every instance), else in this process. */
@Global()
@Module({
  providers: [
    {
      provide: ThrottlerStorage,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.redis.url
          ? new ThrottlerStorageRedisService(config.redis.url, {
              keyPrefix: config.redis.keyPrefix,
            })
          : new ThrottlerStorageService(),
    },
    RateLimitService,
  ],
  exports: [RateLimitService],
})
export class RateLimitModule {}
