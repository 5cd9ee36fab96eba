import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../../config/app-config';

export const SESSION_COOKIE = 'keyhold_session';
export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Hands a new session to the browser: the HttpOnly session cookie and the readable CSRF cookie
 * (double submit). Every way of signing in (password, SSO) goes through here.
 */
export function setSessionCookies(
  reply: FastifyReply,
  issued: { secret: string; csrfToken: string },
  config: AppConfig,
): void {
  const cookie = { path: '/', sameSite: 'lax', secure: config.auth.secureCookies } as const;
  const maxAge = config.auth.sessionAbsoluteHours * 3600;
  void reply.setCookie(SESSION_COOKIE, issued.secret, { ...cookie, httpOnly: true, maxAge });
  void reply.setCookie(CSRF_COOKIE, issued.csrfToken, { ...cookie, httpOnly: false, maxAge });
  void reply.header('cache-control', 'no-store');
}
