import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommonErrorCode } from '../common/errors/common-errors';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { AppConfig } from '../config/app-config';
import { Authenticated, Public } from '../common/access/auth-rule.decorator';
import { LoginDto, LoginResponse, ReauthenticatedResponse, ReauthenticateDto } from './auth.dto';
import { AuthErrorCode } from '../common/access/auth.errors';
import { AuthService } from './auth.service';
import { CSRF_COOKIE, SESSION_COOKIE, setSessionCookies } from '../common/access/cookies';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import type { Principal } from '../common/access/principal';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public({ sessionOnly: true })
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in with email and password; sets the session and CSRF cookies',
  })
  @ApiOkResponse({ type: LoginResponse })
  @ApiErrors(
    AuthErrorCode.InvalidCredentials,
    AuthErrorCode.SsoRequired,
    AuthErrorCode.AccountDisabled,
    CommonErrorCode.RateLimited,
  )
  async login(
    @Body() body: LoginDto,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResponse> {
    const { member, secret, csrfToken } = await this.auth.login(body.email, body.password, meta);
    setSessionCookies(reply, { secret, csrfToken }, this.config);
    const { id, email, name } = member.user;
    return { user: { id, email, name, authMethod: member.authMethod }, csrfToken };
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated({ sessionOnly: true })
  @ApiOperation({ operationId: 'logout', summary: 'End the current session' })
  @ApiNoContentResponse({ description: 'Signed out; the cookies are cleared' })
  async logout(
    @CurrentPrincipal() principal: Principal,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.auth.logout(principal, meta);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Post('reauthenticate')
  @HttpCode(200)
  @Authenticated({ sessionOnly: true })
  @ApiOperation({
    operationId: 'reauthenticate',
    summary: 'Re-enter the password to unlock token management for a while',
  })
  @ApiOkResponse({ type: ReauthenticatedResponse })
  @ApiErrors(
    AuthErrorCode.InvalidCredentials,
    AuthErrorCode.SsoRequired,
    CommonErrorCode.RateLimited,
  )
  async reauthenticate(
    @Body() body: ReauthenticateDto,
    @CurrentPrincipal() principal: Principal,
    @ReqMeta() meta: RequestMeta,
  ): Promise<ReauthenticatedResponse> {
    const at = await this.auth.reauthenticate(principal, body.password, meta);
    const until = new Date(at.getTime() + this.config.auth.reauthWindowMinutes * 60_000);
    return { reauthenticatedAt: at.toISOString(), validUntil: until.toISOString() };
  }
}
