import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { CommonErrorCode, CommonException } from '../common/errors/common-errors';
import { safeEqual, sha256Hex } from '../common/crypto';
import { AUTH_RULE, AuthRule } from '../common/access/auth-rule.decorator';
import { AuthErrorCode, AuthException, invalidToken } from '../common/access/auth.errors';
import { AuthService } from './auth.service';
import { CSRF_COOKIE, CSRF_HEADER } from '../common/access/cookies';
import { Credential, extractCredential, isTokenCredential } from '../common/access/credentials';
import { TokenAuthenticator } from '../tokens/token-authenticator.service';
import type { Principal } from '../common/access/principal';
import { then } from '../common/maybe-promise';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type RouteHandler = ReturnType<ExecutionContext['getHandler']>;
type RouteOwner = ReturnType<ExecutionContext['getClass']>;

/** The one global guard: identifies the caller and applies the route's declared AuthRule. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly rules = new WeakMap<RouteHandler, { owner: RouteOwner; rule?: AuthRule }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly tokens: TokenAuthenticator,
  ) {}

  /** Synchronous for a cached token (the hot path); a promise when anything must be read. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rule = this.ruleOf(context.getHandler(), context.getClass());
    if (!rule) {
      throw new CommonException(
        CommonErrorCode.RouteWithoutAuthRule,
        'This endpoint declares no access rule, so it is closed.',
      );
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credential = extractCredential(request);
    if (rule.public) {
      // A token presented to a session-only public endpoint (login, api-token-auth) is refused.
      if (!rule.sessionOnly || !isTokenCredential(credential)) return true;
      return then(this.tokens.authenticate(credential, request), (principal) => {
        this.authorize(rule, principal, request.method);
        return true;
      });
    }
    return then(this.identify(credential, request), (principal) => {
      request.principal = principal;
      this.authorize(rule, principal, request.method);
      return true;
    });
  }

  /** Route metadata does not change after start: read once per handler, not per request. */
  private ruleOf(handler: RouteHandler, owner: RouteOwner): AuthRule | undefined {
    const known = this.rules.get(handler);
    if (known && known.owner === owner) return known.rule;
    const rule = this.reflector.getAllAndOverride<AuthRule | undefined>(AUTH_RULE, [
      handler,
      owner,
    ]);
    this.rules.set(handler, { owner, rule });
    return rule;
  }

  private identify(
    credential: Credential,
    request: FastifyRequest,
  ): Principal | Promise<Principal> {
    if (isTokenCredential(credential)) return this.tokens.authenticate(credential, request);
    if (credential.kind === 'malformed') throw invalidToken(credential.description);
    if (credential.kind === 'none') {
      throw new AuthException(
        AuthErrorCode.AuthenticationRequired,
        'Sign in or send an API token.',
        {
          headers: { 'www-authenticate': 'Bearer realm="keyhold"' },
        },
      );
    }
    return this.auth.principalForSession(credential.secret).then(({ principal, csrfHash }) => {
      if (!SAFE_METHODS.has(request.method)) this.checkCsrf(request, csrfHash);
      return principal;
    });
  }

  /** Double submit, bound to the session: header = readable cookie, and its hash = the session's. */
  private checkCsrf(request: FastifyRequest, csrfHash: string): void {
    const header = request.headers[CSRF_HEADER];
    const cookie = request.cookies?.[CSRF_COOKIE];
    const ok =
      typeof header === 'string' &&
      typeof cookie === 'string' &&
      safeEqual(header, cookie) &&
      safeEqual(sha256Hex(header), csrfHash);
    if (!ok) {
      throw new AuthException(
        AuthErrorCode.CsrfFailed,
        `Send the ${CSRF_COOKIE} cookie's value in the X-CSRF-Token header.`,
      );
    }
  }

  private authorize(rule: AuthRule, principal: Principal, method: string): void {
    // Before any other rule: a read-only token never changes anything, on any route.
    if (principal.tokenAccess === 'read_only' && !SAFE_METHODS.has(method)) {
      throw insufficientScope();
    }
    if (rule.sessionOnly && principal.via === 'token') {
      throw new AuthException(
        AuthErrorCode.TokenNotAllowed,
        'API tokens cannot manage credentials or sessions; sign in to do this.',
      );
    }
    if (rule.superuser && !principal.isSuperuser) {
      throw new AuthException(
        AuthErrorCode.SuperuserRequired,
        'Only organization superusers may do this.',
      );
    }
    if (rule.permission && !principal.permissions.includes(rule.permission)) {
      throw new AuthException(
        AuthErrorCode.PermissionDenied,
        `You lack the permission "${rule.permission}"; ask an organization superuser.`,
      );
    }
    if (rule.recentPassword && !this.auth.isPasswordRecent(principal)) {
      throw new AuthException(
        AuthErrorCode.ReauthenticationRequired,
        'Confirm your password first: POST /api/v1/auth/reauthenticate.',
      );
    }
  }
}

/** 403 with the RFC 6750 §3.1 challenge. */
function insufficientScope(): AuthException {
  return new AuthException(
    AuthErrorCode.InsufficientScope,
    'This token is read-only: it may only make GET, HEAD and OPTIONS requests.',
    { headers: { 'www-authenticate': 'Bearer realm="keyhold", error="insufficient_scope"' } },
  );
}
