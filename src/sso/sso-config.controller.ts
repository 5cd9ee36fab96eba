import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth-rule.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import {
  OrganizationsErrorCode,
  OrganizationsException,
} from '../organizations/organizations.errors';
import { SsoConfigDto, SsoConfigView } from './sso.dto';
import { SsoPublicConfig, SsoService } from './sso.service';

/** Superusers manage only their own organization; any other id looks like it does not exist. */
function ownOrganization(principal: Principal, orgId: string): string {
  if (principal.organizationId !== orgId) {
    throw new OrganizationsException(
      OrganizationsErrorCode.OrganizationNotFound,
      'No such organization.',
    );
  }
  return orgId;
}

@ApiTags('organizations')
@Controller('api/v1/organizations/:orgId/sso')
export class SsoConfigController {
  constructor(private readonly sso: SsoService) {}

  @Put()
  @Authenticated({ superuser: true, sessionOnly: true })
  @ApiOperation({
    summary: 'Point the organization at an OpenID Connect identity provider',
    description:
      'The issuer’s discovery document is fetched and must name exactly this issuer. The ' +
      'client secret is stored encrypted and never returned.',
  })
  @ApiParam({ name: 'orgId', format: 'uuid' })
  @ApiOkResponse({ type: SsoConfigView })
  configure(
    @Param('orgId') orgId: string,
    @Body() body: SsoConfigDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SsoPublicConfig> {
    return this.sso.configure(ownOrganization(principal, orgId), body);
  }

  @Get()
  @Authenticated({ superuser: true })
  @ApiOperation({ summary: 'The organization’s SSO settings, without the client secret' })
  @ApiParam({ name: 'orgId', format: 'uuid' })
  @ApiOkResponse({ type: SsoConfigView })
  read(
    @Param('orgId') orgId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SsoPublicConfig> {
    return this.sso.getPublicConfig(ownOrganization(principal, orgId));
  }
}
