import { Injectable } from '@nestjs/common';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { AuthMethod, Membership } from '../users/membership.entity';
import { UsersService } from '../users/users.service';
import { AuthErrorCode, AuthException } from './auth.errors';
import type { Principal } from './principal';
import { IssuedSession, SessionsService } from './sessions.service';

const BAD_CREDENTIALS = 'The email or password is incorrect.';

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly rateLimits: RateLimitService,
  ) {}

  private async throttleLogin(email: string, meta: RequestMeta): Promise<void> {
    const rule = { limit: this.config.auth.loginLimitPerMinute, windowMs: 60_000 };
    await this.rateLimits.consume({ ...rule, bucket: 'login-ip' }, meta.ip);
    await this.rateLimits.consume(
      { ...rule, bucket: 'login-account' },
      this.users.normaliseEmail(email),
    );
  }

  /**
   * Checks an email and password with the same answer and timing for an unknown account and a
   * wrong password. Shared by the login endpoint and api-token-auth.
   */
  async verifyCredentials(
    email: string,
    password: string,
    meta: RequestMeta,
    ssoCode: AuthErrorCode.SsoRequired | AuthErrorCode.SsoUser,
  ): Promise<Membership> {
    await this.throttleLogin(email, meta);
    const member = await this.users.findByEmail(email);
    if (member?.authMethod === AuthMethod.Sso) {
      throw new AuthException(
        ssoCode,
        ssoCode === AuthErrorCode.SsoRequired
          ? 'This account signs in through your organization’s identity provider (SSO); it has no password.'
          : 'SSO accounts have no password. Sign in with SSO and create a token from your profile (POST /api/v1/profile/tokens).',
      );
    }
    const valid = await this.users.verifyPassword(member, password);
    if (!member || !valid) {
      if (member) await this.users.recordLogin(member, false);
      throw new AuthException(AuthErrorCode.InvalidCredentials, BAD_CREDENTIALS);
    }
    if (!member.isActive) {
      throw new AuthException(AuthErrorCode.AccountDisabled, 'This account has been deactivated.');
    }
    return member;
  }

  async login(
    email: string,
    password: string,
    meta: RequestMeta,
  ): Promise<{ member: Membership } & IssuedSession> {
    const member = await this.verifyCredentials(email, password, meta, AuthErrorCode.SsoRequired);
    await this.users.recordLogin(member, true);
    const issued = await this.sessions.start(member.user.id, AuthMethod.Password, meta);
    return { member, ...issued };
  }

  async reauthenticate(principal: Principal, password: string, meta: RequestMeta): Promise<Date> {
    if (principal.authMethod === AuthMethod.Sso || !principal.sessionId) {
      throw new AuthException(
        AuthErrorCode.SsoRequired,
        'SSO accounts need no password re-entry; their SSO session is the authority.',
      );
    }
    await this.throttleLogin(principal.email, meta);
    const member = await this.users.findById(principal.userId);
    if (!member || !(await this.users.verifyPassword(member, password))) {
      if (member) await this.users.recordLogin(member, false);
      throw new AuthException(AuthErrorCode.InvalidCredentials, 'The password is incorrect.');
    }
    return this.sessions.markPasswordVerified(principal.sessionId);
  }

  logout(principal: Principal): Promise<void> {
    return principal.sessionId ? this.sessions.end(principal.sessionId) : Promise.resolve();
  }

  /** The principal behind a session cookie (and the session's CSRF hash); 401 when there is none. */
  async principalForSession(secret: string): Promise<{ principal: Principal; csrfHash: string }> {
    const session = await this.sessions.resolve(secret);
    if (session === 'expired') {
      throw new AuthException(
        AuthErrorCode.SessionExpired,
        'Your session has expired; sign in again.',
      );
    }
    const member = session === 'unknown' ? null : await this.users.findById(session.userId);
    // A session started under the other sign-in method outlived a switch (a login racing
    // UsersService.setAuthMethod): it proves a credential that no longer applies.
    if (
      session === 'unknown' ||
      !member ||
      !member.isActive ||
      member.authMethod !== session.method
    ) {
      throw new AuthException(
        AuthErrorCode.AuthenticationRequired,
        'Your session is not valid; sign in again.',
      );
    }
    const principal: Principal = {
      userId: member.user.id,
      organizationId: member.organizationId,
      email: member.user.email,
      name: member.user.name,
      authMethod: member.authMethod,
      isSuperuser: member.isSuperuser,
      permissions: member.permissions,
      via: 'session',
      sessionId: session.id,
      passwordVerifiedAt: session.passwordVerifiedAt,
    };
    return { principal, csrfHash: session.csrfHash };
  }

  isPasswordRecent(principal: Principal): boolean {
    if (principal.authMethod === AuthMethod.Sso) return true;
    const verifiedAt = principal.passwordVerifiedAt?.getTime() ?? 0;
    return Date.now() - verifiedAt < this.config.auth.reauthWindowMinutes * 60_000;
  }
}
