import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/access/auth-rule.decorator';
import { setSessionCookies } from '../common/access/cookies';
import { AuthErrorCode } from '../common/access/auth.errors';
import { CommonErrorCode } from '../common/errors/common-errors';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { AppConfig } from '../config/app-config';
import { SSO_STATE_TTL_MS } from './sso-login-states';
import { SsoErrorCode } from './sso.errors';
import { SSO_CALLBACK_PATH, SsoService } from './sso.service';

/** Ties a pending login to the browser that started it; sent only to the callback. */
export const SSO_BINDING_COOKIE = 'keyhold_sso';

@ApiTags('auth')
@Controller('api/v1/auth/sso')
export class SsoController {
  constructor(
    private readonly sso: SsoService,
    private readonly config: AppConfig,
  ) {}

  @Get(':orgSlug/start')
  @Public({ sessionOnly: true })
  @ApiOperation({
    operationId: 'startSsoLogin',
    summary: 'Start signing in through the organization’s OpenID Connect provider',
    description:
      'Redirects (302) to the identity provider (authorization code + PKCE S256, state, nonce) ' +
      `and sets the HttpOnly \`${SSO_BINDING_COOKIE}\` cookie that the callback checks. ` +
      'The login must finish within 10 minutes.',
  })
  @ApiParam({ name: 'orgSlug', example: 'example-org' })
  @ApiResponse({ status: 302, description: 'To the identity provider' })
  @ApiErrors(
    SsoErrorCode.NotConfigured,
    SsoErrorCode.ConfigUnreadable,
    SsoErrorCode.ProviderUnavailable,
    CommonErrorCode.RateLimited,
  )
  async start(
    @Param('orgSlug') orgSlug: string,
    @ReqMeta() meta: RequestMeta,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { authorizationUrl, browserBinding } = await this.sso.start(orgSlug, meta);
    void reply.setCookie(SSO_BINDING_COOKIE, browserBinding, {
      path: SSO_CALLBACK_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.auth.secureCookies,
      maxAge: SSO_STATE_TTL_MS / 1000,
    });
    void reply.header('cache-control', 'no-store').redirect(authorizationUrl, 302);
  }

  @Get('callback')
  @Public({ sessionOnly: true })
  @ApiOperation({
    operationId: 'finishSsoLogin',
    summary: 'Where the identity provider sends the browser back; signs the person in',
    description:
      'On success sets the same cookies as POST /api/v1/auth/login (HttpOnly session cookie and ' +
      'the readable `csrf_token` cookie for the X-CSRF-Token header) and redirects (302) to ' +
      'PUBLIC_URL/, whatever the Accept header. Failures answer problem+json with an `sso_*` ' +
      'code (or `account_disabled`); the login must then be started again.',
  })
  @ApiQuery({ name: 'code', type: String, required: false })
  @ApiQuery({ name: 'state', type: String, required: true })
  @ApiQuery({ name: 'iss', type: String, required: false, description: 'RFC 9207' })
  @ApiQuery({ name: 'error', type: String, required: false })
  @ApiResponse({ status: 302, description: 'Signed in; to PUBLIC_URL/' })
  @ApiErrors(
    SsoErrorCode.StateInvalid,
    SsoErrorCode.StateExpired,
    SsoErrorCode.NotConfigured,
    SsoErrorCode.ConfigUnreadable,
    SsoErrorCode.ProviderError,
    SsoErrorCode.ProviderUnavailable,
    SsoErrorCode.TokenInvalid,
    SsoErrorCode.EmailUnverified,
    SsoErrorCode.EmailDomainNotAllowed,
    SsoErrorCode.UserUnknown,
    SsoErrorCode.PasswordAccount,
    SsoErrorCode.IdentityMismatch,
    AuthErrorCode.AccountDisabled,
  )
  async callback(
    @Query() query: Record<string, unknown>,
    @ReqMeta() meta: RequestMeta,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The pending login is used up (or unusable) whatever happens next.
    void reply.clearCookie(SSO_BINDING_COOKIE, { path: SSO_CALLBACK_PATH });
    const binding = request.cookies?.[SSO_BINDING_COOKIE];
    const login = await this.sso.callback(query, meta, binding);
    setSessionCookies(reply, login, this.config);
    void reply.redirect(`${this.config.http.publicUrl.replace(/\/+$/, '')}/`, 302);
  }
}
