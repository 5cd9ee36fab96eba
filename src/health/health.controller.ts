import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth-rule.decorator';
import { LivenessView, ReadinessView } from './health.dto';

@ApiTags('health')
@Controller(['health', 'api/v1/health'])
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ type: LivenessView })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'The process can serve: the database answers' })
  @ApiOkResponse({ type: ReadinessView })
  async ready() {
    try {
      await this.em.getConnection().execute('select 1');
      return { status: 'ok', database: 'ok' };
    } catch {
      throw new ServiceUnavailableException('The database does not answer.');
    }
  }
}
