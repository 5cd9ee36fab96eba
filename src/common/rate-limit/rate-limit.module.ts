import { Global, Module } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RateLimitService } from './rate-limit.service';

@Global()
@Module({
  providers: [{ provide: ThrottlerStorage, useClass: ThrottlerStorageService }, RateLimitService],
  exports: [RateLimitService],
})
export class RateLimitModule {}
