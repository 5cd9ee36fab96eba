import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrganizationsService } from '../organizations/organizations.service';
import { Authenticated } from './auth-rule.decorator';
import { MeResponse } from './auth.dto';
import { CurrentPrincipal } from './current-principal.decorator';
import type { Principal } from './principal';

@ApiTags('me')
@Controller('api/v1/me')
export class MeController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Who is calling, in which organization, and how they authenticated' })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    const organization = await this.organizations.getSummary(principal.organizationId);
    return {
      user: {
        id: principal.userId,
        email: principal.email,
        name: principal.name,
        authMethod: principal.authMethod,
      },
      organization,
      isSuperuser: principal.isSuperuser,
      permissions: [...principal.permissions],
      auth:
        principal.via === 'token'
          ? { kind: 'token', tokenId: principal.tokenId, tokenName: principal.tokenName }
          : { kind: 'session' },
    };
  }
}
