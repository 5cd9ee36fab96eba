import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomSecret, sha256Hex } from '../common/crypto';
import type { RequestMeta } from '../common/http/request-meta';
import { AppConfig } from '../config/app-config';
import { AuthMethod } from '../common/access/auth-method';
import { Session } from './session.entity';

export interface IssuedSession {
  session: Session;
  /** Raw cookie values: handed to the browser once, stored only as hashes. */
  secret: string;
  csrfToken: string;
}

/**
 * How stale last-seen may get before a request refreshes it: writing it on every request would
 * cost a write per request, but the interval must stay a small fraction of the idle window, or a
 * session in steady use would expire between two refreshes (a tenth of it, at most a minute).
 */
export function touchIntervalMs(idleMinutes: number): number {
  return Math.min(60_000, (idleMinutes * 60_000) / 10);
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
  ) {}

  async start(userId: string, method: AuthMethod, meta: RequestMeta): Promise<IssuedSession> {
    const secret = randomSecret();
    const csrfToken = randomSecret();
    const now = new Date();
    const session = this.em.create(Session, {
      secretHash: sha256Hex(secret),
      csrfHash: sha256Hex(csrfToken),
      userId,
      method,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: new Date(
        now.getTime() + this.config.auth.sessionAbsoluteHours * 3_600_000,
      ),
      passwordVerifiedAt: method === AuthMethod.Password ? now : null,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    await this.em.flush();
    return { session, secret, csrfToken };
  }

  /** The live session for a cookie value, or why there is none. */
  async resolve(secret: string): Promise<Session | 'unknown' | 'expired'> {
    const session = await this.em.findOne(Session, { secretHash: sha256Hex(secret) });
    if (!session) return 'unknown';
    const now = Date.now();
    const idleLimit = session.lastSeenAt.getTime() + this.config.auth.sessionIdleMinutes * 60_000;
    if (now >= session.absoluteExpiresAt.getTime() || now >= idleLimit) {
      await this.em.nativeDelete(Session, { id: session.id });
      return 'expired';
    }
    if (
      now - session.lastSeenAt.getTime() >=
      touchIntervalMs(this.config.auth.sessionIdleMinutes)
    ) {
      session.lastSeenAt = new Date(now);
      await this.em.nativeUpdate(Session, { id: session.id }, { lastSeenAt: session.lastSeenAt });
    }
    return session;
  }

  async markPasswordVerified(sessionId: string): Promise<Date> {
    const now = new Date();
    await this.em.nativeUpdate(Session, { id: sessionId }, { passwordVerifiedAt: now });
    return now;
  }

  async end(sessionId: string): Promise<void> {
    await this.em.nativeDelete(Session, { id: sessionId });
  }

  /** Ends every session of a user (deactivation, switching to SSO), or all but `keep`. */
  async endAllFor(userId: string, keep?: string): Promise<void> {
    await this.em.nativeDelete(Session, keep ? { userId, id: { $ne: keep } } : { userId });
  }
}
