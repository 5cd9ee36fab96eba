import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { Public } from '../common/access/auth-rule.decorator';
import { CompiledResponse } from '../common/http/compiled-response';
import { CommonErrorCode, CommonException } from '../common/errors/common-errors';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { DATABASE_RETRY_AFTER_SECONDS } from '../database/database-errors';
import { TokenAccessChanges } from '../tokens/token-access-changes.service';
import { LivenessView, ReadinessView } from './health.dto';

type CheckState = 'ok' | 'down' | 'not_configured';

// Frozen: its serialised text is made once (compiled response).
const LIVE: LivenessView = Object.freeze({ status: 'ok' as const });

export type ReadinessChecks = Omit<ReadinessView, 'status'>;

@ApiTags('health')
@Controller(['health', 'api/v1/health'])
export class HealthController {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly access: TokenAccessChanges,
    private readonly rateLimits: RateLimitService,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'The process is up' })
  @CompiledResponse(LivenessView)
  live(): LivenessView {
    return LIVE;
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'The process can serve: database, cache listener and Redis (when configured)',
    description: 'Answers within a bound; a 503 problem names what is down in `checks`.',
  })
  @ApiOkResponse({ type: ReadinessView })
  async ready(): Promise<ReadinessView> {
    const checks: ReadinessChecks = {
      database: await this.databaseState(),
      cacheListener: this.access.listening ? 'ok' : 'down',
      redis: this.rateLimits.redisState(),
    };
    const down = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    if (down.length === 0) return { status: 'ok', ...checks };
    throw new CommonException(
      CommonErrorCode.ServiceUnavailable,
      `Not ready: ${down.join(', ')} down.`,
      {
        headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
        extensions: { checks },
      },
    );
  }

  /** `select 1`, given no longer than a connect timeout (plus a second) to answer. */
  private async databaseState(): Promise<CheckState> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<CheckState>((resolve) => {
      timer = setTimeout(() => resolve('down'), this.config.database.connectTimeoutMs + 1000);
    });
    const ping = this.em
      .getConnection()
      .execute('select 1')
      .then(
        (): CheckState => 'ok',
        (): CheckState => 'down',
      );
    try {
      return await Promise.race([ping, bound]);
    } finally {
      clearTimeout(timer);
    }
  }
}
