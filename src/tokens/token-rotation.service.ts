import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { AuditActor } from '../audit/audit.service';
import type { RequestMeta } from '../common/http/request-meta';
import { ApiToken } from './api-token.entity';
import { TokenChannel } from '../common/access/token-kinds';
import { RecordAccessChange, TokenAccessChanges } from './token-access-changes.service';
import { TokenEvents } from './token-events.service';
import { TokenExpiryReminders } from './token-expiry-reminders.service';
import { IssuedToken, TokenIssuing, TokenOwner } from './token-issuing';
import { TokensErrorCode, TokensException } from './tokens.errors';

export const DEFAULT_OVERLAP_MINUTES = 60;

export interface RotationInput {
  overlapMinutes: number;
  lifetimeDays: number | null;
  channel: TokenChannel;
}

/**
 * Rotation with overlap (SPEC §2a): a new token of the same name and access replaces the old
 * one, which keeps working until now + overlap (never later than it would have anyway).
 */
@Injectable()
export class TokenRotation {
  constructor(
    private readonly issuing: TokenIssuing,
    private readonly events: TokenEvents,
    private readonly access: TokenAccessChanges,
    private readonly reminders: TokenExpiryReminders,
  ) {}

  /** `POST /profile/tokens/{id}/rotate`: rate limited like creation, never limited by count. */
  async rotate(
    owner: TokenOwner,
    tokenId: string,
    input: { overlapMinutes?: number; expiresInDays?: number | null },
    meta: RequestMeta,
    actor: AuditActor,
  ): Promise<IssuedToken> {
    if (!isUUID(tokenId)) {
      throw new TokensException(TokensErrorCode.TokenNotFound, 'No token with that id.');
    }
    await this.issuing.throttle(owner, meta);
    const lifetimeDays = await this.issuing.lifetimeDays(owner, input.expiresInDays);
    const issued = await this.access.within(async (em, changed) => {
      await this.issuing.lockOwner(em, owner.userId);
      const old = await em.findOne(ApiToken, { id: tokenId, userId: owner.userId });
      if (!old) throw new TokensException(TokensErrorCode.TokenNotFound, 'No token with that id.');
      return this.rotateLocked(
        em,
        owner,
        old,
        {
          overlapMinutes: input.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES,
          lifetimeDays,
          channel: TokenChannel.Profile,
        },
        { meta, actor, changed },
      );
    });
    this.afterCommit(issued);
    return issued;
  }

  /**
   * Inside the caller's transaction, holding the owner's lock. Refuses a token that is revoked,
   * expired or already rotated (409 token_not_rotatable).
   */
  async rotateLocked(
    em: EntityManager,
    owner: TokenOwner,
    old: ApiToken,
    input: RotationInput,
    { meta, actor, changed }: { meta: RequestMeta; actor: AuditActor; changed: RecordAccessChange },
  ): Promise<IssuedToken> {
    const now = Date.now();
    const reason = old.revokedAt
      ? 'it has been revoked'
      : old.expiresAt && old.expiresAt.getTime() <= now
        ? 'it has expired'
        : old.rotatedToId
          ? 'it has already been rotated'
          : null;
    if (reason) {
      throw new TokensException(
        TokensErrorCode.TokenNotRotatable,
        `This token cannot be rotated: ${reason}.`,
      );
    }
    const issued = this.issuing.build(
      em,
      owner,
      {
        name: old.name,
        lifetimeDays: input.lifetimeDays,
        channel: input.channel,
        access: old.access,
        rotatedFromId: old.id,
      },
      meta,
    );
    const overlapEnd = new Date(now + input.overlapMinutes * 60_000);
    old.rotatedToId = issued.token.id;
    if (!old.expiresAt || old.expiresAt > overlapEnd) old.expiresAt = overlapEnd;
    await em.flush();
    await this.events.rotated(old, issued.token, actor, meta, input.overlapMinutes);
    // The old token's cached expiry is stale now, here and on every other instance.
    await changed({ kind: 'token', id: old.id });
    return issued;
  }

  /** After the issuing transaction committed (the cache eviction is already done by `within`). */
  afterCommit(issued: IssuedToken): void {
    this.reminders.tokenIssued(issued.token);
  }
}
