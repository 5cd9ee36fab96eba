import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AuditActor, SYSTEM_ACTOR } from '../audit/audit.service';
import type { RequestMeta } from '../common/http/request-meta';
import { AppConfig } from '../config/app-config';
import { ApiToken } from './api-token.entity';
import { TokenAccess, TokenChannel } from '../common/access/token-kinds';
import { ApiTokenRepository, RevocationScope } from './api-token.repository';
import { RecordAccessChange, TokenAccessChanges } from './token-access-changes.service';
import { TokenEvents } from './token-events.service';
import { isWellFormedToken, tokenDigest } from './token-format';
import {
  activeTokenFilter,
  currentTokenFilter,
  IssuedToken,
  TokenIssuing,
  TokenOwner,
} from './token-issuing';
import { DEFAULT_OVERLAP_MINUTES, TokenRotation } from './token-rotation.service';
import { TokensErrorCode, TokensException } from './tokens.errors';

export type { TokenOwner } from './token-issuing';
export type CreatedToken = IssuedToken;

export interface NewToken {
  name: string;
  /** Days until expiry; null: never; undefined: the default (30, or the organization's cap). */
  expiresInDays: number | null | undefined;
  channel: TokenChannel;
  access?: TokenAccess;
  /**
   * api-token-auth: an active token of the same name is rotated (default overlap) instead of
   * refused, so a script calling it on every run never piles tokens up.
   */
  rotateSameName?: boolean;
}

export type TokenState = 'active' | 'inactive' | 'all';

/** Inactive: revoked, or expired (which includes a rotated token once its overlap is over). */
export const stateFilter = (state: TokenState) =>
  state === 'active'
    ? activeTokenFilter()
    : state === 'inactive'
      ? { $and: [{ $or: [{ revokedAt: { $ne: null } }, { expiresAt: { $lte: new Date() } }] }] }
      : {};

@Injectable()
export class TokensService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly issuing: TokenIssuing,
    private readonly rotation: TokenRotation,
    private readonly events: TokenEvents,
    private readonly access: TokenAccessChanges,
    private readonly tokens: ApiTokenRepository,
  ) {}

  /**
   * Creates a token. The per-user limit and name uniqueness are checked under a per-owner
   * advisory lock inside the creating transaction, so they hold under concurrency and across
   * instances. A token being rotated out counts for neither.
   */
  async create(
    owner: TokenOwner,
    input: NewToken,
    meta: RequestMeta,
    actor: AuditActor,
  ): Promise<CreatedToken> {
    await this.issuing.throttle(owner, meta);
    const lifetimeDays = await this.issuing.lifetimeDays(owner, input.expiresInDays);
    const name = input.name.trim();
    const issued = await this.access.within(async (em, changed) => {
      await this.issuing.lockOwner(em, owner.userId);
      const current = await em.find(ApiToken, { userId: owner.userId, ...currentTokenFilter() });
      const sameName = current.find((token) => token.name.toLowerCase() === name.toLowerCase());
      if (sameName && input.rotateSameName) {
        const rotation = {
          overlapMinutes: DEFAULT_OVERLAP_MINUTES,
          lifetimeDays,
          channel: input.channel,
        };
        return this.rotation.rotateLocked(em, owner, sameName, rotation, { meta, actor, changed });
      }
      this.assertRoomFor(name, current, sameName !== undefined);
      const created = this.issuing.build(
        em,
        owner,
        {
          name,
          lifetimeDays,
          channel: input.channel,
          access: input.access ?? TokenAccess.ReadWrite,
        },
        meta,
      );
      await em.flush();
      await this.events.created(created.token, actor, meta);
      return created;
    });
    this.rotation.afterCommit(issued);
    return issued;
  }

  /** Under the owner's lock: the name is free and the owner is below the per-user limit. */
  private assertRoomFor(name: string, current: ApiToken[], nameTaken: boolean): void {
    if (nameTaken) {
      throw new TokensException(
        TokensErrorCode.TokenNameTaken,
        `You already have an active token named "${name}".`,
      );
    }
    const { maxPerUser } = this.config.tokens;
    if (current.length >= maxPerUser) {
      throw new TokensException(
        TokensErrorCode.TokenLimitReached,
        `You have ${current.length} active tokens, the most allowed (${maxPerUser}). Revoke one first.`,
      );
    }
  }

  countActiveByUser(userIds: string[]): Promise<Map<string, number>> {
    return this.tokens.countActiveByUser(this.em, userIds);
  }

  /** The owner's tokens in `state`, newest first. */
  listOwn(
    userId: string,
    state: TokenState,
    page: { limit: number; after?: { createdAt: Date; id: string } },
  ): Promise<ApiToken[]> {
    const after = page.after;
    return this.em.find(
      ApiToken,
      {
        userId,
        ...stateFilter(state),
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
      const found = await this.access.within(async (em, changed) => {
        const id = await this.tokens.revokeLeaked(em, digest);
        if (id === null) return false;
        await this.revoked(em, changed, id, SYSTEM_ACTOR, meta);
        return true;
      });
      if (found) revoked += 1;
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
    scope: RevocationScope,
    actor: AuditActor & { userId: string },
    meta: RequestMeta,
  ): Promise<ApiToken> {
    if (!isUUID(tokenId)) {
      throw new TokensException(TokensErrorCode.TokenNotFound, 'No active token with that id.');
    }
    return this.access.within(async (em, changed) => {
      if (!(await this.tokens.revokeOne(em, tokenId, scope, actor.userId))) {
        throw new TokensException(TokensErrorCode.TokenNotFound, 'No active token with that id.');
      }
      return this.revoked(em, changed, tokenId, actor, meta);
    });
  }

  /**
   * What follows every single revocation (by the owner, a superuser or a leak report), once its
   * atomic update has won, in the same transaction: the token reloaded, audited, its owner
   * emailed, and evicted on every instance.
   */
  private async revoked(
    em: EntityManager,
    changed: RecordAccessChange,
    tokenId: string,
    actor: AuditActor,
    meta: RequestMeta,
  ): Promise<ApiToken> {
    const token = await em.findOneOrFail(ApiToken, { id: tokenId }, { refresh: true });
    await this.events.revoked(token, actor, meta);
    await changed({ kind: 'token', id: tokenId });
    return token;
  }

  /**
   * A colleague leaves: every active token of the member revoked in one transaction, one audit
   * event per token, one email listing them. Answers how many were revoked.
   */
  async revokeAllOf(
    member: TokenOwner,
    actor: AuditActor & { userId: string },
    meta: RequestMeta,
  ): Promise<number> {
    return this.access.within(async (em, changed) => {
      await this.issuing.lockOwner(em, member.userId);
      const ids = await this.tokens.revokeAllOf(em, member, actor.userId);
      if (ids.length === 0) return 0;
      const tokens = await em.find(
        ApiToken,
        { id: { $in: ids } },
        { refresh: true, orderBy: { createdAt: 'asc', id: 'asc' } },
      );
      await this.events.revokedAll(tokens, actor, meta);
      await changed({ kind: 'user', id: member.userId });
      return tokens.length;
    });
  }
}
