import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { ApiTokenAuthDto, CreatedTokenView } from '../tokens/tokens.dto';
import { Public } from './auth-rule.decorator';
import { ApiTokenAuthService } from './api-token-auth.service';

@ApiTags('auth')
@Controller('api/v1')
export class ApiTokenAuthController {
  constructor(private readonly apiTokenAuth: ApiTokenAuthService) {}

  @Post('api-token-auth')
  @Public({ sessionOnly: true })
  @ApiOperation({
    summary: 'Trade a username (email) and password for a new API token (Django REST style)',
    description:
      'Errors: 400 invalid_credentials (same answer for an unknown user and a wrong password); ' +
      '403 permission_denied without api_tokens.manage; 403 sso_user for SSO accounts, which have ' +
      'no password: they sign in with SSO and create tokens from their profile ' +
      '(POST /api/v1/profile/tokens); 409 token_limit_reached; 429 rate_limited.',
  })
  @ApiCreatedResponse({ type: CreatedTokenView })
  obtain(
    @Body() body: ApiTokenAuthDto,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedTokenView> {
    void reply.header('cache-control', 'no-store');
    return this.apiTokenAuth.obtainToken(body, meta);
  }
}
