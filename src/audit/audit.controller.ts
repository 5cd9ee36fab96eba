import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth-rule.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { AuditEventPage, AuditEventsQuery } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('api/v1/organizations/:orgId/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Authenticated({ superuser: true })
  @ApiOperation({
    summary: "The organization's audit log, newest first",
    description: 'Superusers only. Filters combine; page with nextCursor.',
  })
  list(
    @Param('orgId') orgId: string,
    @Query() query: AuditEventsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditEventPage> {
    return this.audit.list(principal, orgId, query);
  }
}
