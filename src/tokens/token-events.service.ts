import { Injectable } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action';
import { AuditActor, AuditService } from '../audit/audit.service';
import type { RequestMeta } from '../common/http/request-meta';
import { MailService } from '../mail/mail.service';
import { UsersService } from '../users/users.service';
import { ApiToken } from './api-token.entity';

/**
 * What follows a token change, inside the same transaction: the audit event and the owner's
 * notification (queued in the outbox, so SMTP never delays or fails the request).
 */
@Injectable()
export class TokenEvents {
  constructor(
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly users: UsersService,
  ) {}

  async created(token: ApiToken, actor: AuditActor, meta: RequestMeta): Promise<void> {
    await this.audit.record({
      organizationId: token.organizationId,
      action: AuditAction.TokenCreated,
      actor,
      targetUserId: token.userId,
      targetTokenId: token.id,
      meta,
      metadata: { channel: token.channel, name: token.name, preview: token.preview },
    });
    const owner = await this.users.findById(token.userId);
    if (!owner) return;
    await this.mail.enqueueTokenCreated({
      to: owner.user.email,
      ownerName: owner.user.name,
      tokenName: token.name,
      preview: token.preview,
      at: token.createdAt,
      ip: meta.ip,
      userAgent: meta.userAgent,
      channel: token.channel,
    });
  }

  /** By the owner, by a superuser, or (system actor) through a leak report. */
  async revoked(token: ApiToken, actor: AuditActor, meta: RequestMeta): Promise<void> {
    const by =
      actor.userId === null ? 'leak_report' : actor.userId === token.userId ? 'owner' : 'superuser';
    await this.audit.record({
      organizationId: token.organizationId,
      action: AuditAction.TokenRevoked,
      actor,
      targetUserId: token.userId,
      targetTokenId: token.id,
      meta,
      metadata: { by, name: token.name, preview: token.preview },
    });
    const owner = await this.users.findById(token.userId);
    if (!owner) return;
    const revoker =
      by === 'superuser' && actor.userId ? await this.users.findById(actor.userId) : null;
    await this.mail.enqueueTokenRevoked({
      to: owner.user.email,
      ownerName: owner.user.name,
      tokenName: token.name,
      preview: token.preview,
      at: token.revokedAt ?? new Date(),
      ip: meta.ip,
      userAgent: meta.userAgent,
      channel: token.channel,
      revokedBy:
        by === 'superuser'
          ? { kind: 'superuser', name: revoker?.user.name ?? 'a superuser' }
          : { kind: by },
    });
  }
}
