import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { AppConfig } from '../config/app-config';
import { Authenticated, Public } from '../common/access/auth-rule.decorator';
import { LoginDto, LoginResponse, ReauthenticatedResponse, ReauthenticateDto } from './auth.dto';
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
  @ApiOperation({ summary: 'Sign in with email and password; sets the session and CSRF cookies' })
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
  @ApiOperation({ summary: 'End the current session' })
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
  @ApiOperation({ summary: 'Re-enter the password to unlock token management for a while' })
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
