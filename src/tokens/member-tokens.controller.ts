import { Controller, Delete, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { OrganizationScopeErrorCode } from '../common/access/organization-scope';
import { UsersErrorCode } from '../users/users.errors';
import { OrganizationTokensService } from './organization-tokens.service';

export class RevokedAllView {
  @ApiProperty({ description: 'How many active tokens were revoked' }) revoked!: number;
}

@ApiTags('organization tokens')
@Controller('api/v1/organizations/:orgId/members/:userId/tokens')
export class MemberTokensController {
  constructor(private readonly tokens: OrganizationTokensService) {}

  @Delete()
  @Authenticated({ superuser: true, sessionOnly: true })
  @ApiOperation({
    operationId: 'revokeMemberTokens',
    summary: "Revoke all of a member's active tokens (a colleague leaves); one email lists them",
  })
  @ApiOkResponse({ type: RevokedAllView })
  @ApiErrors(OrganizationScopeErrorCode.OrganizationNotFound, UsersErrorCode.MemberNotFound)
  revokeAll(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('userId') userId: string,
    @ReqMeta() meta: RequestMeta,
  ): Promise<RevokedAllView> {
    return this.tokens.revokeAllOf(principal, orgId, userId, meta);
  }
}
