import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { OrganizationScopeErrorCode } from '../common/access/organization-scope';
import { UsersErrorCode } from '../users/users.errors';
import { AddMemberDto, MemberPage, MembersQuery, MemberView, UpdateMemberDto } from './members.dto';
import { PermissionsErrorCode } from './permissions.errors';
import { TeamService } from './team.service';

@ApiTags('team')
@Controller('api/v1/organizations/:orgId/members')
export class MembersController {
  constructor(private readonly team: TeamService) {}

  @Get()
  @Authenticated({ superuser: true })
  @ApiOperation({
    operationId: 'listMembers',
    summary: 'The Team list (superusers; a superuser token may read it)',
  })
  @ApiOkResponse({ type: MemberPage })
  @ApiErrors(OrganizationScopeErrorCode.OrganizationNotFound)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Query() query: MembersQuery,
  ) {
    return this.team.list(principal, orgId, query);
  }

  @Post()
  @Authenticated({ superuser: true, sessionOnly: true })
  @ApiOperation({
    operationId: 'addMember',
    summary: 'Add a member: a password account with an initial password, or an SSO account',
  })
  @ApiCreatedResponse({ type: MemberView })
  @ApiErrors(
    OrganizationScopeErrorCode.OrganizationNotFound,
    UsersErrorCode.EmailTaken,
    UsersErrorCode.InvalidEmail,
    UsersErrorCode.PasswordRequired,
    UsersErrorCode.PasswordNotAllowed,
  )
  add(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Body() body: AddMemberDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.team.add(principal, orgId, body, meta);
  }

  @Patch(':userId')
  @Authenticated({ superuser: true, sessionOnly: true })
  @ApiOperation({
    operationId: 'updateMember',
    summary: 'Grant or withdraw api_tokens.manage, superuser and active status',
    description:
      'Withdrawing api_tokens.manage blocks the member’s tokens (401) without deleting them; granting ' +
      'it again restores every token not revoked or expired meanwhile. 409 last_superuser protects ' +
      'the last active superuser.',
  })
  @ApiOkResponse({ type: MemberView })
  @ApiErrors(
    OrganizationScopeErrorCode.OrganizationNotFound,
    UsersErrorCode.MemberNotFound,
    PermissionsErrorCode.LastSuperuser,
    PermissionsErrorCode.PasswordWithoutSwitch,
    UsersErrorCode.PasswordRequired,
    UsersErrorCode.PasswordNotAllowed,
  )
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('userId') userId: string,
    @Body() body: UpdateMemberDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.team.update(principal, orgId, userId, body, meta);
  }
}
