import { Injectable } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action';
import { AuditActor, AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import type { RequestMeta } from '../common/http/request-meta';
import { MailService } from '../mail/mail.service';
import type { Membership } from '../users/membership.entity';
import { UsersService } from '../users/users.service';
import { ApiToken } from './api-token.entity';

/** Requests the system makes on its own (the expiry sweep, the last-used flush). */
export const SYSTEM_META: RequestMeta = { ip: '', userAgent: '', requestId: '' };

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

  private record(
    token: ApiToken,
    action: AuditAction,
    actor: AuditActor,
    meta: RequestMeta,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      organizationId: token.organizationId,
      action,
      actor,
      targetUserId: token.userId,
      targetTokenId: token.id,
      meta,
      metadata: { name: token.name, preview: token.preview, ...metadata },
    });
  }

  private mailOf(token: ApiToken, meta: RequestMeta) {
    return {
      tokenName: token.name,
      preview: token.preview,
      ip: meta.ip,
      userAgent: meta.userAgent,
      channel: token.channel,
      access: token.access,
    };
  }

  async created(token: ApiToken, actor: AuditActor, meta: RequestMeta): Promise<void> {
    await this.record(token, AuditAction.TokenCreated, actor, meta, {
      channel: token.channel,
      access: token.access,
    });
    const owner = await this.users.findById(token.userId);
    if (!owner) return;
    await this.mail.enqueueTokenCreated({
      to: owner.user.email,
      ownerName: owner.user.name,
      ...this.mailOf(token, meta),
      at: token.createdAt,
    });
  }

  /** One event and one email for the pair; the event targets the new token. */
  async rotated(
    old: ApiToken,
    token: ApiToken,
    actor: AuditActor,
    meta: RequestMeta,
    overlapMinutes: number,
  ): Promise<void> {
    await this.record(token, AuditAction.TokenRotated, actor, meta, {
      channel: token.channel,
      rotatedFromId: old.id,
      oldPreview: old.preview,
      overlapMinutes,
      oldExpiresAt: old.expiresAt?.toISOString() ?? null,
    });
    const owner = await this.users.findById(token.userId);
    if (!owner) return;
    await this.mail.enqueueTokenRotated({
      to: owner.user.email,
      ownerName: owner.user.name,
      ...this.mailOf(old, meta),
      channel: token.channel,
      at: token.createdAt,
      newPreview: token.preview,
      oldExpiresAt: old.expiresAt ?? token.createdAt,
      newExpiresAt: token.expiresAt,
    });
  }

  /** By the owner, by a superuser, or (system actor) through a leak report. */
  async revoked(token: ApiToken, actor: AuditActor, meta: RequestMeta): Promise<void> {
    const by =
      actor.userId === null ? 'leak_report' : actor.userId === token.userId ? 'owner' : 'superuser';
    await this.record(token, AuditAction.TokenRevoked, actor, meta, { by });
    const owner = await this.users.findById(token.userId);
    if (!owner) return;
    const revoker =
      by === 'superuser' && actor.userId ? await this.users.findById(actor.userId) : null;
    await this.mail.enqueueTokenRevoked({
      to: owner.user.email,
      ownerName: owner.user.name,
      ...this.mailOf(token, meta),
      at: token.revokedAt ?? new Date(),
      revokedBy:
        by === 'superuser'
          ? { kind: 'superuser', name: revoker?.user.name ?? 'a superuser' }
          : { kind: by },
    });
  }

  /** Every token of one member revoked at once: an event per token, one email listing them. */
  async revokedAll(
    tokens: ApiToken[],
    actor: AuditActor & { userId: string },
    meta: RequestMeta,
  ): Promise<void> {
    const [first] = tokens;
    if (!first) return;
    const by = actor.userId === first.userId ? 'owner' : 'superuser';
    for (const token of tokens) {
      await this.record(token, AuditAction.TokenRevoked, actor, meta, { by, all: true });
    }
    const owner = await this.users.findById(first.userId);
    if (!owner) return;
    const revoker = await this.users.findById(actor.userId);
    await this.mail.enqueueTokensRevokedAll({
      to: owner.user.email,
      ownerName: owner.user.name,
      ...this.mailOf(first, meta),
      at: first.revokedAt ?? new Date(),
      revokerName: revoker?.user.name ?? 'a superuser',
      tokens: tokens.map((token) => ({ name: token.name, preview: token.preview })),
    });
  }

  /** The owners of a batch of tokens, looked up at once (the expiry sweep). */
  async ownersOf(tokens: ApiToken[]): Promise<Map<string, Membership>> {
    const owners = await this.users.findMembers([...new Set(tokens.map((token) => token.userId))]);
    return new Map(owners.map((owner) => [owner.user.id, owner]));
  }

  /** The expiry sweep: a reminder (`daysLeft` > 0) or the expiry notice (audited). */
  async expiryNotice(
    token: ApiToken,
    daysLeft: number,
    owner: Membership | undefined,
  ): Promise<void> {
    if (daysLeft === 0) {
      await this.record(token, AuditAction.TokenExpired, SYSTEM_ACTOR, SYSTEM_META, {
        expiredAt: token.expiresAt?.toISOString() ?? null,
      });
    }
    if (!owner?.isActive) return;
    await this.mail.enqueueTokenExpiry({
      to: owner.user.email,
      ownerName: owner.user.name,
      ...this.mailOf(token, SYSTEM_META),
      ip: token.lastUsedIp ?? '',
      at: token.expiresAt ?? new Date(),
      daysLeft,
      lastUsedAt: token.lastUsedAt,
    });
  }

  /** Audited each time; `notify`: the owner may be emailed (at most once per token per hour). */
  async usedFromNewIp(
    token: ApiToken,
    use: { ip: string; at: Date; userAgent: string },
    notify: boolean,
  ): Promise<void> {
    const meta = { ip: use.ip, userAgent: use.userAgent, requestId: '' };
    const actor: AuditActor = { userId: token.userId, via: 'token', tokenId: token.id };
    await this.record(token, AuditAction.TokenUsedFromNewIp, actor, meta, {
      ip: use.ip,
      emailed: notify,
    });
    if (!notify) return;
    const owner = await this.users.findById(token.userId);
    if (!owner) return;
    await this.mail.enqueueTokenNewIp({
      to: owner.user.email,
      ownerName: owner.user.name,
      ...this.mailOf(token, meta),
      at: use.at,
    });
  }
}
