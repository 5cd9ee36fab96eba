import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AuditActor, SYSTEM_ACTOR } from '../audit/audit.service';
import { OrganizationsService } from '../organizations/organizations.service';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { ApiToken, TokenChannel } from './api-token.entity';
import { TokenAccessChanges } from './token-access-changes.service';
import { TokenEvents } from './token-events.service';
import { generateToken, isWellFormedToken, tokenDigest, tokenPreview } from './token-format';
import { TokensErrorCode, TokensException } from './tokens.errors';

export interface TokenOwner {
  userId: string;
  organizationId: string;
}

export interface NewToken {
  name: string;
  /** Days until expiry; null: never; undefined: the default (30, or the organization's cap). */
  expiresInDays: number | null | undefined;
  channel: TokenChannel;
}

export interface CreatedToken {
  token: ApiToken;
  /** The secret: returned to the caller once, never stored, logged or emailed. */
  raw: string;
}

const DAY_MS = 86_400_000;
export const DEFAULT_EXPIRY_DAYS = 30;

/** `revoked_at is null and not expired`, the meaning of "active" everywhere. */
export const activeTokenFilter = () => ({
  revokedAt: null,
  $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date() } }],
});

@Injectable()
export class TokensService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly rateLimits: RateLimitService,
    private readonly events: TokenEvents,
    private readonly access: TokenAccessChanges,
    private readonly organizations: OrganizationsService,
  ) {}

  private async throttleCreation(owner: TokenOwner, meta: RequestMeta): Promise<void> {
    const { createLimitPerMinute, createLimitPerHour } = this.config.tokens;
    const windows = [
      { suffix: 'minute', limit: createLimitPerMinute, windowMs: 60_000 },
      { suffix: 'hour', limit: createLimitPerHour, windowMs: 3_600_000 },
    ];
    for (const { suffix, limit, windowMs } of windows) {
      await this.rateLimits.consume(
        { bucket: `token-create-user-${suffix}`, limit, windowMs },
        owner.userId,
      );
      await this.rateLimits.consume(
        { bucket: `token-create-ip-${suffix}`, limit, windowMs },
        meta.ip,
      );
    }
  }

  /**
   * Creates a token. The per-user limit and name uniqueness are checked under a per-owner
   * advisory lock inside the creating transaction, so they hold under concurrency and across
   * instances.
   */
  async create(
    owner: TokenOwner,
    input: NewToken,
    meta: RequestMeta,
    actor: AuditActor,
  ): Promise<CreatedToken> {
    await this.throttleCreation(owner, meta);
    const lifetimeDays = this.lifetimeDays(
      input.expiresInDays,
      await this.organizations.maxTokenLifetimeDays(owner.organizationId),
    );
    const name = input.name.trim();
    const raw = generateToken(this.config.tokens.prefix);
    return this.em.transactional(async (em) => {
      await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
        `api_token:${owner.userId}`,
      ]);
      const active = await em.find(
        ApiToken,
        { userId: owner.userId, ...activeTokenFilter() },
        { fields: ['name'] },
      );
      if (active.some((token) => token.name.toLowerCase() === name.toLowerCase())) {
        throw new TokensException(
          TokensErrorCode.TokenNameTaken,
          `You already have an active token named "${name}".`,
        );
      }
      const { maxPerUser } = this.config.tokens;
      if (active.length >= maxPerUser) {
        throw new TokensException(
          TokensErrorCode.TokenLimitReached,
          `You have ${active.length} active tokens, the most allowed (${maxPerUser}). Revoke one first.`,
        );
      }
      const now = new Date();
      const token = em.create(ApiToken, {
        userId: owner.userId,
        organizationId: owner.organizationId,
        name,
        digest: tokenDigest(raw),
        preview: tokenPreview(raw),
        channel: input.channel,
        createdAt: now,
        createdIp: meta.ip,
        createdUserAgent: meta.userAgent,
        expiresAt: lifetimeDays === null ? null : new Date(now.getTime() + lifetimeDays * DAY_MS),
      });
      await em.flush();
      await this.events.created(token, actor, meta);
      return { token, raw };
    });
  }

  private lifetimeDays(
    requested: number | null | undefined,
    maxDays: number | null,
  ): number | null {
    if (requested === undefined)
      return maxDays === null ? DEFAULT_EXPIRY_DAYS : Math.min(DEFAULT_EXPIRY_DAYS, maxDays);
    if (maxDays !== null && (requested === null || requested > maxDays)) {
      throw new TokensException(
        TokensErrorCode.TokenLifetimeExceeded,
        `Your organization allows tokens that expire within ${maxDays} days; choose a shorter expiry.`,
      );
    }
    return requested;
  }

  async countActiveByUser(userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.em.execute<{ user_id: string; count: number }[]>(
      `select user_id, count(*)::int as count from api_token
       where user_id in (${userIds.map(() => '?').join(', ')})
         and revoked_at is null and (expires_at is null or expires_at > now())
       group by user_id`,
      userIds,
    );
    return new Map(rows.map((row) => [row.user_id, row.count]));
  }

  /** The owner's active tokens, newest first. */
  listActive(
    userId: string,
    page: { limit: number; after?: { createdAt: Date; id: string } },
  ): Promise<ApiToken[]> {
    const after = page.after;
    return this.em.find(
      ApiToken,
      {
        userId,
        ...activeTokenFilter(),
        ...(after
          ? {
              $and: [
                {
                  $or: [
                    { createdAt: { $lt: after.createdAt } },
                    { createdAt: after.createdAt, id: { $lt: after.id } },
                  ],
                },
              ],
            }
          : {}),
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: page.limit + 1 },
    );
  }

  /**
   * Revokes every active token among `raws` that someone found exposed (SPEC §6 "leak report"):
   * each like any revocation (audited, owner emailed, evicted everywhere), by the system.
   * Answers how many were live.
   */
  async revokeLeaked(raws: string[], meta: RequestMeta): Promise<number> {
    const digests = [
      ...new Set(
        raws.filter((raw) => isWellFormedToken(raw, this.config.tokens.prefix)).map(tokenDigest),
      ),
    ];
    let revoked = 0;
    for (const digest of digests) {
      const change = await this.em.transactional(async (em) => {
        const rows = await em.execute<{ id: string }[]>(
          `update api_token set revoked_at = now(), digest = null
           where digest = ? and revoked_at is null returning id`,
          [digest],
        );
        if (rows.length === 0) return null;
        const token = await em.findOneOrFail(ApiToken, { id: rows[0].id }, { refresh: true });
        await this.events.revoked(token, SYSTEM_ACTOR, meta);
        const tokenChange = { kind: 'token', id: token.id } as const;
        await this.access.publish(tokenChange);
        return tokenChange;
      });
      if (change) {
        this.access.applyLocally(change);
        revoked += 1;
      }
    }
    return revoked;
  }

  /**
   * Revokes atomically: of concurrent revocations exactly one wins (and audits and notifies in
   * the same transaction); the others, and any later one, get 404.
   * `scope` limits which tokens the caller may revoke (their own, or their organization's).
   */
  async revoke(
    tokenId: string,
    scope: { userId: string } | { organizationId: string },
    actor: AuditActor & { userId: string },
    meta: RequestMeta,
  ): Promise<ApiToken> {
    if (!isUUID(tokenId)) {
      throw new TokensException(TokensErrorCode.TokenNotFound, 'No active token with that id.');
    }
    const change = { kind: 'token', id: tokenId } as const;
    const revoked = await this.em.transactional(async (em) => {
      const scopeSql = 'userId' in scope ? 'user_id = ?' : 'organization_id = ?';
      const scopeValue = 'userId' in scope ? scope.userId : scope.organizationId;
      const rows = await em.execute<{ id: string }[]>(
        `update api_token set revoked_at = now(), digest = null, revoked_by = ?
         where id = ? and ${scopeSql} and revoked_at is null returning id`,
        [actor.userId, tokenId, scopeValue],
      );
      if (rows.length === 0) {
        throw new TokensException(TokensErrorCode.TokenNotFound, 'No active token with that id.');
      }
      const token = await em.findOneOrFail(ApiToken, { id: tokenId }, { refresh: true });
      await this.events.revoked(token, actor, meta);
      await this.access.publish(change);
      return token;
    });
    this.access.applyLocally(change);
    return revoked;
  }
}
