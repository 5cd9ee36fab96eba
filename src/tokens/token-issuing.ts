import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { lockForTransaction } from '../database/advisory-lock';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { OrganizationsService } from '../organizations/organizations.service';
import { ApiToken } from './api-token.entity';
import { TokenAccess, TokenChannel } from '../common/access/token-kinds';
import { generateToken, tokenDigest, tokenPreview } from './token-format';
import { TokensErrorCode, TokensException } from './tokens.errors';

export interface TokenOwner {
  userId: string;
  organizationId: string;
}

export interface IssuedToken {
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

/** Active and not on its way out after a rotation: what counts for the limit and for names. */
export const currentTokenFilter = () => ({ ...activeTokenFilter(), rotatedToId: null });

/**
 * What creating and rotating share: the rate limit, the lifetime rule, the per-owner lock and
 * the new row itself.
 */
@Injectable()
export class TokenIssuing {
  constructor(
    private readonly config: AppConfig,
    private readonly rateLimits: RateLimitService,
    private readonly organizations: OrganizationsService,
  ) {}

  async throttle(owner: TokenOwner, meta: RequestMeta): Promise<void> {
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

  /** Days until expiry (null: never) within the organization's cap; undefined: the default. */
  async lifetimeDays(
    owner: TokenOwner,
    requested: number | null | undefined,
  ): Promise<number | null> {
    const maxDays = await this.organizations.maxTokenLifetimeDays(owner.organizationId);
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

  /** Serialises every token change of one owner, across instances, until the transaction ends. */
  async lockOwner(em: EntityManager, userId: string): Promise<void> {
    await lockForTransaction(em, `api_token:${userId}`);
  }

  /** A new token row (persisted, not flushed) and its secret. */
  build(
    em: EntityManager,
    owner: TokenOwner,
    input: {
      name: string;
      lifetimeDays: number | null;
      channel: TokenChannel;
      access: TokenAccess;
      rotatedFromId?: string;
    },
    meta: RequestMeta,
  ): IssuedToken {
    const raw = generateToken(this.config.tokens.prefix);
    const now = new Date();
    const token = em.create(ApiToken, {
      userId: owner.userId,
      organizationId: owner.organizationId,
      name: input.name,
      digest: tokenDigest(raw),
      preview: tokenPreview(raw),
      channel: input.channel,
      access: input.access,
      rotatedFromId: input.rotatedFromId ?? null,
      recentIps: [],
      createdAt: now,
      createdIp: meta.ip,
      createdUserAgent: meta.userAgent,
      expiresAt:
        input.lifetimeDays === null ? null : new Date(now.getTime() + input.lifetimeDays * DAY_MS),
    });
    return { token, raw };
  }
}
