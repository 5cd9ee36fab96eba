import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { assertOwnOrganization } from '../common/access/organization-scope';
import { CommonErrorCode } from '../common/errors/common-errors';
import { ApiErrors } from '../common/http/openapi-decorators';
import { OrganizationScopeErrorCode } from '../common/access/organization-scope';
import { SsoErrorCode } from './sso.errors';
import { SsoConfigDto, SsoConfigView } from './sso.dto';
import { SsoPublicConfig, SsoService } from './sso.service';

@ApiTags('organizations')
@Controller('api/v1/organizations/:orgId/sso')
export class SsoConfigController {
  constructor(private readonly sso: SsoService) {}

  @Put()
  @Authenticated({ superuser: true, sessionOnly: true })
  @ApiOperation({
    operationId: 'configureSso',
    summary: 'Point the organization at an OpenID Connect identity provider',
    description:
      'The issuer’s discovery document is fetched and must name exactly this issuer. The ' +
      'client secret is stored encrypted and never returned.',
  })
  @ApiParam({ name: 'orgId', format: 'uuid' })
  @ApiOkResponse({ type: SsoConfigView })
  @ApiErrors(
    OrganizationScopeErrorCode.OrganizationNotFound,
    SsoErrorCode.IssuerInvalid,
    SsoErrorCode.IssuerNotAllowed,
    SsoErrorCode.ProviderUnavailable,
    CommonErrorCode.ValidationFailed,
  )
  configure(
    @Param('orgId') orgId: string,
    @Body() body: SsoConfigDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SsoPublicConfig> {
    return this.sso.configure(assertOwnOrganization(principal, orgId), body);
  }

  @Get()
  @Authenticated({ superuser: true })
  @ApiOperation({
    operationId: 'getSsoConfig',
    summary: 'The organization’s SSO settings, without the client secret',
  })
  @ApiParam({ name: 'orgId', format: 'uuid' })
  @ApiOkResponse({ type: SsoConfigView })
  @ApiErrors(OrganizationScopeErrorCode.OrganizationNotFound, SsoErrorCode.NotConfigured)
  read(
    @Param('orgId') orgId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SsoPublicConfig> {
    return this.sso.getPublicConfig(assertOwnOrganization(principal, orgId));
  }
}
