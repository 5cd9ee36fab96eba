import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { AddMemberDto, MemberPage, MembersQuery, MemberView, UpdateMemberDto } from './members.dto';
import { TeamService } from './team.service';

@ApiTags('team')
@Controller('api/v1/organizations/:orgId/members')
export class MembersController {
  constructor(private readonly team: TeamService) {}

  @Get()
  @Authenticated({ superuser: true })
  @ApiOperation({ summary: 'The Team list (superusers; a superuser token may read it)' })
  @ApiOkResponse({ type: MemberPage })
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
    summary: 'Add a member: a password account with an initial password, or an SSO account',
  })
  @ApiCreatedResponse({ type: MemberView })
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
    summary: 'Grant or withdraw api_tokens.manage, superuser and active status',
    description:
      'Withdrawing api_tokens.manage blocks the member’s tokens (401) without deleting them; granting ' +
      'it again restores every token not revoked or expired meanwhile. 409 last_superuser protects ' +
      'the last active superuser.',
  })
  @ApiOkResponse({ type: MemberView })
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
