import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { ApiErrors } from '../common/http/openapi-decorators';
import { OrganizationScopeErrorCode } from '../common/access/organization-scope';
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
  @ApiErrors(OrganizationScopeErrorCode.OrganizationNotFound)
  list(
    @Param('orgId') orgId: string,
    @Query() query: AuditEventsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditEventPage> {
    return this.audit.list(principal, orgId, query);
  }
}
