import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/**
 * "Active" in SQL: not revoked, not expired. The same rule as activeTokenFilter (token-issuing.ts)
 * for the statements MikroORM's query builder cannot express in one round trip.
 */
const ACTIVE_TOKEN_SQL = 'revoked_at is null and (expires_at is null or expires_at > now())';

// Who revoked: the owner themselves, else a superuser of the organization.
const REVOKED_BY_SQL = `revoked_at = now(), digest = null, revoked_by = ?,
  revoked_by_kind = case when user_id = ? then 'owner' else 'superuser' end`;

export type RevocationScope = { userId: string } | { organizationId: string };

/**
 * The api_token statements that must be single atomic updates (so that of concurrent revocations
 * exactly one wins) or one aggregate; everything else goes through the entity. Each method runs on
 * the EntityManager it is given, usually the caller's transaction.
 */
@Injectable()
export class ApiTokenRepository {
  async countActiveByUser(em: EntityManager, userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await em.execute<{ user_id: string; count: number }[]>(
      `select user_id, count(*)::int as count from api_token
       where user_id in (${userIds.map(() => '?').join(', ')}) and ${ACTIVE_TOKEN_SQL}
       group by user_id`,
      userIds,
    );
    return new Map(rows.map((row) => [row.user_id, row.count]));
  }

  /** Revokes the live token with this digest by the system (a leak report); its id, or null. */
  async revokeLeaked(em: EntityManager, digest: string): Promise<string | null> {
    const rows = await em.execute<{ id: string }[]>(
      `update api_token set revoked_at = now(), digest = null, revoked_by_kind = 'leak_report'
       where digest = ? and revoked_at is null returning id`,
      [digest],
    );
    return rows[0]?.id ?? null;
  }

  /** Revokes one not-yet-revoked token within `scope`; false when there is none. */
  async revokeOne(
    em: EntityManager,
    tokenId: string,
    scope: RevocationScope,
    actorUserId: string,
  ): Promise<boolean> {
    const scopeSql = 'userId' in scope ? 'user_id = ?' : 'organization_id = ?';
    const scopeValue = 'userId' in scope ? scope.userId : scope.organizationId;
    const rows = await em.execute<{ id: string }[]>(
      `update api_token set ${REVOKED_BY_SQL}
       where id = ? and ${scopeSql} and revoked_at is null returning id`,
      [actorUserId, actorUserId, tokenId, scopeValue],
    );
    return rows.length > 0;
  }

  /** Revokes every active token of a member; the ids revoked. */
  async revokeAllOf(
    em: EntityManager,
    member: { userId: string; organizationId: string },
    actorUserId: string,
  ): Promise<string[]> {
    const rows = await em.execute<{ id: string }[]>(
      `update api_token set ${REVOKED_BY_SQL}
       where user_id = ? and organization_id = ? and ${ACTIVE_TOKEN_SQL}
       returning id`,
      [actorUserId, actorUserId, member.userId, member.organizationId],
    );
    return rows.map((row) => row.id);
  }
}
