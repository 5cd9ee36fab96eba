import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth-rule.decorator';

@ApiTags('health')
@Controller(['health', 'api/v1/health'])
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'The process can serve: the database answers' })
  async ready() {
    try {
      await this.em.getConnection().execute('select 1');
      return { status: 'ok', database: 'ok' };
    } catch {
      throw new ServiceUnavailableException('The database does not answer.');
    }
  }
}
