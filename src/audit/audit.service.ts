import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { assertOwnOrganization } from '../common/access/organization-scope';
import type { Principal } from '../common/access/principal';
import type { Membership } from '../users/membership.entity';
import type { RequestMeta } from '../common/http/request-meta';
import { scrubSecrets } from '../common/secrets';
import { ActorVia, AuditAction } from './audit-action';
import { decodeTimeCursor, toPage } from '../common/http/pagination';
import { AuditEvent } from './audit-event.entity';
import { sanitizeMetadata } from './audit-metadata';
import type { AuditEventPage, AuditEventsQuery, AuditEventView } from './audit.dto';

export interface AuditActor {
  userId: string | null;
  via: ActorVia;
  tokenId?: string;
}

export interface AuditEventInput {
  organizationId: string;
  action: AuditAction;
  actor: AuditActor;
  targetUserId?: string | null;
  targetTokenId?: string | null;
  meta: RequestMeta;
  metadata?: Record<string, unknown>;
}

/** Not a person: failed logins of unknown callers, expiry, leak reports. */
export const SYSTEM_ACTOR: AuditActor = { userId: null, via: 'system' };

/** The audit actor for the caller of a request. */
export function actorOf(principal: Principal): AuditActor {
  return principal.via === 'token'
    ? { userId: principal.userId, via: 'token', tokenId: principal.tokenId }
    : { userId: principal.userId, via: 'session' };
}

function viewOf(event: AuditEvent): AuditEventView {
  return {
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    actor: {
      userId: event.actorUserId,
      via: event.actorVia,
      ...(event.actorTokenId ? { tokenId: event.actorTokenId } : {}),
    },
    targetUserId: event.targetUserId,
    targetTokenId: event.targetTokenId,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    metadata: event.metadata,
  };
}

@Injectable()
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Inserts the event at once through the injected EntityManager: inside `em.transactional(...)`
   * it commits or rolls back with the change it records. Nothing else is flushed.
   */
  async record(input: AuditEventInput): Promise<void> {
    const { actor, meta } = input;
    await this.em.insert(AuditEvent, {
      id: randomUUID(),
      organizationId: input.organizationId,
      action: input.action,
      actorUserId: actor.userId,
      actorVia: actor.via,
      actorTokenId: actor.tokenId ?? null,
      targetUserId: input.targetUserId ?? null,
      targetTokenId: input.targetTokenId ?? null,
      ip: meta.ip ? meta.ip.slice(0, 64) : null,
      userAgent: meta.userAgent ? scrubSecrets(meta.userAgent).slice(0, 512) : null,
      requestId: meta.requestId ? meta.requestId.slice(0, 64) : null,
      metadata: sanitizeMetadata(input.metadata),
    });
  }

  /**
   * A member created outside the Team API (first start, the CLI), as the log tells it: added,
   * superuser, and each permission, by the system.
   */
  async recordNewMember(
    member: Membership,
    meta: RequestMeta,
    origin: 'bootstrap' | 'cli',
  ): Promise<void> {
    const event = (action: AuditAction, metadata: Record<string, unknown> = {}) =>
      this.record({
        organizationId: member.organizationId,
        action,
        actor: SYSTEM_ACTOR,
        targetUserId: member.user.id,
        meta,
        metadata: { via: origin, ...metadata },
      });
    await event(AuditAction.MemberAdded, {
      email: member.user.email,
      authMethod: member.authMethod,
    });
    if (member.isSuperuser) await event(AuditAction.SuperuserGranted);
    for (const permission of member.permissions)
      await event(AuditAction.PermissionGranted, { permission });
  }

  /** The caller's organization's events, newest first; any other organization is a 404. */
  async list(
    principal: Principal,
    orgId: string,
    query: AuditEventsQuery,
  ): Promise<AuditEventPage> {
    assertOwnOrganization(principal, orgId);
    const qb = this.em
      .createQueryBuilder(AuditEvent, 'e')
      .where({ organizationId: principal.organizationId });
    if (query.actor) qb.andWhere({ actorUserId: query.actor });
    if (query.targetUser) qb.andWhere({ targetUserId: query.targetUser });
    if (query.action) qb.andWhere({ action: query.action });
    if (query.from) qb.andWhere({ occurredAt: { $gte: new Date(query.from) } });
    if (query.to) qb.andWhere({ occurredAt: { $lt: new Date(query.to) } });
    if (query.cursor) {
      const after = decodeTimeCursor(query.cursor);
      // A row comparison follows the (occurred_at desc, id desc) index and is stable on ties.
      qb.andWhere('(e.occurred_at, e.id) < (?, ?)', [after.createdAt, after.id]);
    }
    const rows = await qb
      .orderBy({ occurredAt: 'desc', id: 'desc' })
      .limit(query.limit + 1)
      .getResultList();
    return toPage(rows, query.limit, viewOf, (event) => [event.occurredAt.toISOString(), event.id]);
  }
}
