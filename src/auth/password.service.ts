import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action';
import { actorOf, AuditActor, AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { MailService } from '../mail/mail.service';
import { Membership } from '../users/membership.entity';
import { AuthMethod } from '../common/access/auth-method';
import { UsersErrorCode, UsersException } from '../users/users.errors';
import { UsersService } from '../users/users.service';
import { AuthErrorCode, AuthException } from '../common/access/auth.errors';
import type { Principal } from '../common/access/principal';

/**
 * Password change by the person (SPEC §8: proves the current password, ends their other
 * sessions) and reset by an operator (CLI: ends every session). Both are audited as
 * auth.password_changed and the owner is told by mail, in the same transaction.
 */
@Injectable()
export class PasswordService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly rateLimits: RateLimitService,
  ) {}

  async change(
    principal: Principal,
    currentPassword: string,
    newPassword: string,
    meta: RequestMeta,
  ): Promise<void> {
    if (principal.authMethod === AuthMethod.Sso || !principal.sessionId) {
      throw new AuthException(
        AuthErrorCode.SsoRequired,
        'SSO accounts have no Keyhold password; change it at your identity provider.',
      );
    }
    // The current password is a guessable secret like a login's: same limit, per account.
    await this.rateLimits.consume(
      { bucket: 'password-change', limit: this.config.auth.loginLimitPerMinute, windowMs: 60_000 },
      principal.userId,
    );
    const member = await this.users.findById(principal.userId);
    if (!member || !(await this.users.verifyPassword(member, currentPassword))) {
      throw new AuthException(
        AuthErrorCode.InvalidCredentials,
        'The current password is incorrect.',
      );
    }
    const sessionId = principal.sessionId;
    const passwordHash = await this.users.newPasswordHash(newPassword);
    await this.em.transactional(async () => {
      const changed = await this.users.setPassword(member.user.id, passwordHash, sessionId);
      await this.recorded(changed, actorOf(principal), meta, 'self');
    });
  }

  /** An operator's reset (CLI): every session of the user ends. */
  async reset(email: string, newPassword: string, meta: RequestMeta): Promise<Membership> {
    const member = await this.users.findByEmail(email);
    if (!member) throw new UsersException(UsersErrorCode.UserNotFound, `No user "${email}".`);
    const passwordHash = await this.users.newPasswordHash(newPassword);
    return this.em.transactional(async () => {
      const changed = await this.users.setPassword(member.user.id, passwordHash);
      await this.recorded(changed, SYSTEM_ACTOR, meta, 'operator');
      return changed;
    });
  }

  private async recorded(
    member: Membership,
    actor: AuditActor,
    meta: RequestMeta,
    by: 'self' | 'operator',
  ): Promise<void> {
    await this.audit.record({
      organizationId: member.organizationId,
      action: AuditAction.PasswordChanged,
      actor,
      targetUserId: member.user.id,
      meta,
      metadata: { by },
    });
    await this.mail.enqueuePasswordChanged({
      to: member.user.email,
      ownerName: member.user.name,
      at: new Date(),
      ip: meta.ip,
      userAgent: meta.userAgent,
      by,
    });
  }
}
