import { Injectable } from '@nestjs/common';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { TokensService } from './tokens.service';

const REPORTS_PER_MINUTE_PER_IP = 30;

/** Leak reports: a token seen in public is revoked, whoever reports it. */
@Injectable()
export class TokenLeaksService {
  constructor(
    private readonly tokens: TokensService,
    private readonly rateLimits: RateLimitService,
  ) {}

  async report(raws: string[], meta: RequestMeta): Promise<{ received: number }> {
    await this.rateLimits.consume(
      { bucket: 'token-leak-report', limit: REPORTS_PER_MINUTE_PER_IP, windowMs: 60_000 },
      meta.ip,
    );
    await this.tokens.revokeLeaked(raws, meta);
    return { received: raws.length };
  }
}
