import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommonErrorCode } from '../common/errors/common-errors';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { ApiTokenAuthDto, ObtainedTokenView } from '../tokens/tokens.dto';
import { Public } from '../common/access/auth-rule.decorator';
import { TokensErrorCode } from '../tokens/tokens.errors';
import { AuthErrorCode } from '../common/access/auth.errors';
import { ApiTokenAuthService } from './api-token-auth.service';

@ApiTags('auth')
@Controller('api/v1')
export class ApiTokenAuthController {
  constructor(private readonly apiTokenAuth: ApiTokenAuthService) {}

  @Post('api-token-auth')
  @HttpCode(200)
  @Public({ sessionOnly: true })
  @ApiOperation({
    operationId: 'obtainApiToken',
    summary: 'Trade a username (email) and password for an API token (Django REST style)',
    description:
      'The body may be JSON, application/x-www-form-urlencoded or multipart/form-data. ' +
      '`name` defaults to "api-token-auth"; when you already have an active token of that name ' +
      'it is rotated: the new token is returned and the old one keeps working for 60 minutes, ' +
      'so a script may call this on every run. An unknown user and a wrong password get the ' +
      'same invalid_credentials answer. SSO accounts have no password (sso_user): they sign in ' +
      'with SSO and create tokens from their profile (POST /api/v1/profile/tokens).',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data')
  @ApiBody({ type: ApiTokenAuthDto })
  @ApiOkResponse({ type: ObtainedTokenView })
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
  ): Promise<ObtainedTokenView> {
    void reply.header('cache-control', 'no-store');
    return this.apiTokenAuth.obtainToken(body, meta);
  }
}
