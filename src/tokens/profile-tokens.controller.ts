import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { Permission } from '../common/access/permission';
import { ProfileTokensService } from './profile-tokens.service';
import {
  CreatedTokenView,
  CreateTokenDto,
  RotatedTokenView,
  RotateTokenDto,
  TokenListQuery,
  TokenPage,
} from './tokens.dto';

const MANAGE = { sessionOnly: true, permission: Permission.ManageApiTokens } as const;

@ApiTags('profile tokens')
@Controller('api/v1/profile/tokens')
export class ProfileTokensController {
  constructor(private readonly tokens: ProfileTokensService) {}

  @Get()
  @Authenticated(MANAGE)
  @ApiOperation({ summary: 'Your tokens (active by default; never the secrets)' })
  @ApiOkResponse({ type: TokenPage })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TokenListQuery,
  ): Promise<TokenPage> {
    return this.tokens.list(principal, query);
  }

  @Post()
  @Authenticated({ ...MANAGE, recentPassword: true })
  @ApiOperation({ summary: 'Create a token; the secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedTokenView })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateTokenDto,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedTokenView> {
    void reply.header('cache-control', 'no-store');
    return this.tokens.create(principal, body, meta);
  }

  @Post(':id/rotate')
  @Authenticated({ ...MANAGE, recentPassword: true })
  @ApiOperation({
    summary: 'Rotate a token: a new one of the same name; the old one works for the overlap',
    description:
      'Errors: 404 token_not_found; 409 token_not_rotatable (revoked, expired or already ' +
      'rotated); 400 token_lifetime_exceeded; 429 rate_limited (like creation).',
  })
  @ApiCreatedResponse({ type: RotatedTokenView })
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: RotateTokenDto,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RotatedTokenView> {
    void reply.header('cache-control', 'no-store');
    return this.tokens.rotate(principal, id, body, meta);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ ...MANAGE, recentPassword: true })
  @ApiOperation({ summary: 'Revoke one of your tokens (immediate and permanent)' })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.tokens.revoke(principal, id, meta);
  }
}
