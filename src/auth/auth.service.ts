import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action';
import { actorOf, AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { Membership } from '../users/membership.entity';
import { AuthMethod } from '../common/access/auth-method';
import { UsersService } from '../users/users.service';
import { AuthErrorCode, AuthException } from '../common/access/auth.errors';
import type { Principal } from '../common/access/principal';
import { IssuedSession, SessionsService } from '../sessions/sessions.service';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="keyhold"' };
const BAD_CREDENTIALS = 'The email or password is incorrect.';
const SLOWED_LOGIN_MS = 1000;
// No membership has this id: the unknown-account branch updates it to do the same work.
const NO_MEMBER = '00000000-0000-0000-0000-000000000000';

export type LoginFailureReason = 'bad_password' | 'unknown_user' | 'sso_account' | 'deactivated';

/** The outcome of an email and password check; a failure carries the error to answer with. */
export type CredentialCheck =
  | { ok: true; member: Membership }
  | { ok: false; reason: LoginFailureReason; member: Membership | null; error: AuthException };

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly rateLimits: RateLimitService,
  ) {}

  /**
   * SPEC §5a: guessing is refused per (account, IP) and per IP, but an account's own limit across
   * all IPs only slows answers down, so someone guessing cannot lock the owner out: the right
   * password from a fresh IP still works. A refused attempt on a real account still counts as a
   * failed login.
   */
  private async throttleLogin(email: string, meta: RequestMeta): Promise<void> {
    const { loginLimitPerMinute, loginIpLimitPerMinute, loginAccountLimitPerMinute } =
      this.config.auth;
    const account = this.users.normaliseEmail(email);
    const minute = { windowMs: 60_000 };
    try {
      await this.rateLimits.consume(
        { ...minute, bucket: 'login-ip', limit: loginIpLimitPerMinute },
        meta.ip,
      );
      await this.rateLimits.consume(
        { ...minute, bucket: 'login-account-ip', limit: loginLimitPerMinute },
        `${account}|${meta.ip}`,
      );
    } catch (error) {
      const member = await this.users.findByEmail(account);
      if (member) await this.users.recordLogin(member, false);
      throw error;
    }
    const busy = await this.rateLimits.isExceeded(
      { ...minute, bucket: 'login-account', limit: loginAccountLimitPerMinute },
      account,
    );
    if (busy) await new Promise((resolve) => setTimeout(resolve, SLOWED_LOGIN_MS));
  }

  /**
   * Checks an email and password with the same answer and timing for an unknown account and a
   * wrong password, without writing anything (callers record the failure their own way).
   */
  async checkCredentials(
    email: string,
    password: string,
    meta: RequestMeta,
    ssoCode: AuthErrorCode.SsoRequired | AuthErrorCode.SsoUser,
  ): Promise<CredentialCheck> {
    await this.throttleLogin(email, meta);
    const member = await this.users.findByEmail(email);
    if (member?.authMethod === AuthMethod.Sso) {
      const error = new AuthException(
        ssoCode,
        ssoCode === AuthErrorCode.SsoRequired
          ? 'This account signs in through your organization’s identity provider (SSO); it has no password.'
          : 'SSO accounts have no password. Sign in with SSO and create a token from your profile (POST /api/v1/profile/tokens).',
      );
      return { ok: false, reason: 'sso_account', member, error };
    }
    const valid = await this.users.verifyPassword(member, password);
    if (!member || !valid) {
      const error = new AuthException(AuthErrorCode.InvalidCredentials, BAD_CREDENTIALS);
      return { ok: false, reason: member ? 'bad_password' : 'unknown_user', member, error };
    }
    if (!member.isActive) {
      const error = new AuthException(
        AuthErrorCode.AccountDisabled,
        'This account has been deactivated.',
      );
      return { ok: false, reason: 'deactivated', member, error };
    }
    return { ok: true, member };
  }

  async login(
    email: string,
    password: string,
    meta: RequestMeta,
  ): Promise<{ member: Membership } & IssuedSession> {
    const check = await this.checkCredentials(email, password, meta, AuthErrorCode.SsoRequired);
    if (!check.ok) {
      // An unknown email belongs to no organization's log.
      await this.recordCredentialFailure(AuditAction.LoginFailed, check.member, check.reason, meta);
      throw check.error;
    }
    return this.signIn(check.member, AuthMethod.Password, meta);
  }

  /**
   * A proven sign-in (password, or SSO with `issuer`): last login, the new session and its audit
   * event, in one transaction.
   */
  signIn(
    member: Membership,
    method: AuthMethod,
    meta: RequestMeta,
    issuer?: string,
  ): Promise<{ member: Membership } & IssuedSession> {
    return this.em.transactional(async () => {
      await this.users.recordLogin(member, true);
      const issued = await this.sessions.start(member.user.id, method, meta);
      await this.audit.record({
        organizationId: member.organizationId,
        action: method === AuthMethod.Sso ? AuditAction.SsoLogin : AuditAction.LoginSucceeded,
        actor: { userId: member.user.id, via: 'session' },
        targetUserId: member.user.id,
        meta,
        ...(issuer ? { metadata: { issuer } } : {}),
      });
      return { member, ...issued };
    });
  }

  /**
   * Records a refused password check (login or api-token-auth), committed before the error
   * answers so it stays on record. An unknown address belongs to no organization's log, but it
   * still makes a transaction of the same shape: a wrong password and an unknown user must not
   * be told apart by their timing (SPEC §5).
   */
  async recordCredentialFailure(
    action: AuditAction.LoginFailed | AuditAction.ApiTokenAuthDenied,
    member: Membership | null,
    reason: string,
    meta: RequestMeta,
  ): Promise<void> {
    await this.em.transactional(async () => {
      if (!member) {
        // The same statements as a wrong password, and a transaction id so that the commit is
        // flushed to the WAL like one that wrote a row.
        await this.users.countFailedLogin(NO_MEMBER);
        await this.em.execute('select pg_current_xact_id()');
        return;
      }
      if (reason === 'bad_password') await this.users.recordLogin(member, false);
      await this.audit.record({
        organizationId: member.organizationId,
        action,
        actor: SYSTEM_ACTOR,
        targetUserId: member.user.id,
        meta,
        metadata:
          action === AuditAction.LoginFailed ? { reason, email: member.user.email } : { reason },
      });
    });
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
    const sessionId = principal.sessionId;
    return this.em.transactional(async () => {
      const at = await this.sessions.markPasswordVerified(sessionId);
      await this.recordSelf(principal, AuditAction.Reauthenticated, meta);
      return at;
    });
  }

  async logout(principal: Principal, meta: RequestMeta): Promise<void> {
    const sessionId = principal.sessionId;
    if (!sessionId) return;
    await this.em.transactional(async () => {
      await this.sessions.end(sessionId);
      await this.recordSelf(principal, AuditAction.Logout, meta);
    });
  }

  /** An event the caller performs on their own account. */
  private recordSelf(principal: Principal, action: AuditAction, meta: RequestMeta): Promise<void> {
    return this.audit.record({
      organizationId: principal.organizationId,
      action,
      actor: actorOf(principal),
      targetUserId: principal.userId,
      meta,
    });
  }

  /** The principal behind a session cookie (and the session's CSRF hash); 401 when there is none. */
  async principalForSession(secret: string): Promise<{ principal: Principal; csrfHash: string }> {
    const session = await this.sessions.resolve(secret);
    if (session === 'expired') {
      throw new AuthException(
        AuthErrorCode.SessionExpired,
        'Your session has expired; sign in again.',
        { headers: CHALLENGE },
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
        { headers: CHALLENGE },
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
