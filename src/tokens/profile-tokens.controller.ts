import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';
import { CommonErrorCode } from '../common/errors/common-errors';
import { ApiErrors } from '../common/http/openapi-decorators';
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
import { TokensErrorCode } from './tokens.errors';

const MANAGE = { sessionOnly: true, permission: Permission.ManageApiTokens } as const;

@ApiTags('profile tokens')
@Controller('api/v1/profile/tokens')
export class ProfileTokensController {
  constructor(private readonly tokens: ProfileTokensService) {}

  @Get()
  @Authenticated(MANAGE)
  @ApiOperation({
    operationId: 'listProfileTokens',
    summary: 'Your tokens (active by default; never the secrets)',
  })
  @ApiOkResponse({ type: TokenPage })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TokenListQuery,
  ): Promise<TokenPage> {
    return this.tokens.list(principal, query);
  }

  @Post()
  @Authenticated({ ...MANAGE, recentPassword: true })
  @ApiOperation({
    operationId: 'createProfileToken',
    summary: 'Create a token; the secret is in this response only',
  })
  @ApiCreatedResponse({ type: CreatedTokenView })
  @ApiErrors(
    TokensErrorCode.TokenNameTaken,
    TokensErrorCode.TokenLimitReached,
    TokensErrorCode.TokenLifetimeExceeded,
    CommonErrorCode.RateLimited,
  )
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
    operationId: 'rotateProfileToken',
    summary: 'Rotate a token: a new one of the same name; the old one works for the overlap',
    description:
      'A revoked, expired or already rotated token cannot be rotated (token_not_rotatable). ' +
      'Rate limited like creation; never counted against the per-user limit.',
  })
  @ApiCreatedResponse({ type: RotatedTokenView })
  @ApiErrors(
    TokensErrorCode.TokenNotFound,
    TokensErrorCode.TokenNotRotatable,
    TokensErrorCode.TokenLifetimeExceeded,
    CommonErrorCode.RateLimited,
  )
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
  @ApiOperation({
    operationId: 'revokeProfileToken',
    summary: 'Revoke one of your tokens (immediate and permanent)',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(TokensErrorCode.TokenNotFound)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.tokens.revoke(principal, id, meta);
  }
}
