import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { OrganizationScopeErrorCode } from '../common/access/organization-scope';
import { OrganizationTokenPage } from './organization-tokens.dto';
import { OrganizationTokensQuery } from './organization-tokens.query';
import { OrganizationTokensService } from './organization-tokens.service';
import { TokensErrorCode } from './tokens.errors';

@ApiTags('organization tokens')
@Controller('api/v1/organizations/:orgId/tokens')
export class OrganizationTokensController {
  constructor(private readonly tokens: OrganizationTokensService) {}

  @Get()
  @Authenticated({ superuser: true })
  @ApiOperation({
    operationId: 'listOrganizationTokens',
    summary: 'Every active token in the organization, with its owner (never a secret)',
  })
  @ApiOkResponse({ type: OrganizationTokenPage })
  @ApiErrors(OrganizationScopeErrorCode.OrganizationNotFound)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Query() query: OrganizationTokensQuery,
  ) {
    return this.tokens.list(principal, orgId, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ superuser: true, sessionOnly: true })
  @ApiOperation({
    operationId: 'revokeOrganizationToken',
    summary: 'Revoke any token in the organization; the owner is emailed',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(OrganizationScopeErrorCode.OrganizationNotFound, TokensErrorCode.TokenNotFound)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('id') id: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.tokens.revoke(principal, orgId, id, meta);
  }
}
