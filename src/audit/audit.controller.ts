import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth-rule.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { ApiErrors } from '../common/http/openapi-decorators';
import { OrganizationsErrorCode } from '../organizations/organizations.errors';
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
    operationId: 'listAuditEvents',
    summary: "The organization's audit log, newest first",
    description: 'Superusers only. Filters combine; page with nextCursor.',
  })
  @ApiOkResponse({ type: AuditEventPage })
  @ApiErrors(OrganizationsErrorCode.OrganizationNotFound)
  list(
    @Param('orgId') orgId: string,
    @Query() query: AuditEventsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditEventPage> {
    return this.audit.list(principal, orgId, query);
  }
}
