import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommonErrorCode } from '../common/errors/common-errors';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { ApiTokenAuthDto, CreatedTokenView } from '../tokens/tokens.dto';
import { TokensErrorCode } from '../tokens/tokens.errors';
import { AuthErrorCode } from './auth.errors';
import { Public } from './auth-rule.decorator';
import { ApiTokenAuthService } from './api-token-auth.service';

@ApiTags('auth')
@Controller('api/v1')
export class ApiTokenAuthController {
  constructor(private readonly apiTokenAuth: ApiTokenAuthService) {}

  @Post('api-token-auth')
  @Public({ sessionOnly: true })
  @ApiOperation({
    operationId: 'obtainApiToken',
    summary: 'Trade a username (email) and password for a new API token (Django REST style)',
    description:
      'An unknown user and a wrong password get the same invalid_credentials answer. SSO accounts ' +
      'have no password (sso_user): they sign in with SSO and create tokens from their profile ' +
      '(POST /api/v1/profile/tokens).',
  })
  @ApiCreatedResponse({ type: CreatedTokenView })
  @ApiErrors(
    AuthErrorCode.InvalidCredentials,
    AuthErrorCode.SsoUser,
    AuthErrorCode.AccountDisabled,
    AuthErrorCode.PermissionDenied,
    TokensErrorCode.TokenNameTaken,
    TokensErrorCode.TokenLimitReached,
    TokensErrorCode.TokenLifetimeExceeded,
    CommonErrorCode.RateLimited,
  )
  obtain(
    @Body() body: ApiTokenAuthDto,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedTokenView> {
    void reply.header('cache-control', 'no-store');
    return this.apiTokenAuth.obtainToken(body, meta);
  }
}
