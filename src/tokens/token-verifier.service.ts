import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { invalidToken } from '../common/access/auth.errors';
import type { TokenPrincipal } from '../common/access/principal';
import { AppConfig } from '../config/app-config';
import { Permission } from '../common/access/permission';
import { UsersService } from '../users/users.service';
import { ApiToken } from './api-token.entity';
import { TokenAccessChanges } from './token-access-changes.service';
import { TokenCache, VerifiedToken } from './token-cache';
import { isWellFormedToken, tokenDigest, tokenLength } from './token-format';

const malformed = () => invalidToken('The token is malformed or its checksum is wrong.');

export interface TokenPresentation {
  raw: string;
  /** X-Client-Id, when the token came in X-Api-Token: it must name the same token. */
  clientId?: string;
  /** X-Organization-Id / X-Workspace-Id, when sent: it must name the token's organization. */
  organizationId?: string;
}

/**
 * Token → principal. Shape and checksum are checked before anything else (no database);
 * then the cache answers, and only a miss reads the token and its owner (two queries).
 */
@Injectable()
export class TokenVerifier {
  private readonly inFlight = new Map<
    string,
    { generation: number; result: Promise<VerifiedToken | null> }
  >();

  private readonly length: number;

  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly cache: TokenCache,
    private readonly access: TokenAccessChanges,
  ) {
    this.length = tokenLength(config.tokens.prefix);
  }

  /**
   * Synchronous on a cache hit (no promise, no allocation: the cached principal is returned
   * as is), so the hot path costs a SHA-256 and a map lookup.
   */
  verify(presented: TokenPresentation): TokenPrincipal | Promise<TokenPrincipal> {
    const { raw } = presented;
    if (raw.length !== this.length) throw malformed();
    const digest = tokenDigest(raw);
    // Only lookups of well-formed tokens are cached (below): a hit has had its shape and checksum
    // checked already, so the token is parsed once, not on every request.
    const cached = this.cache.get(digest);
    if (cached !== undefined) return this.check(cached, presented);
    if (!isWellFormedToken(raw, this.config.tokens.prefix)) throw malformed();
    return this.lookup(digest).then((token) => this.check(token, presented));
  }

  private check(token: VerifiedToken | null, presented: TokenPresentation): TokenPrincipal {
    if (!token) throw invalidToken('The token is unknown or has been revoked.');
    if (presented.clientId !== undefined && presented.clientId.toLowerCase() !== token.tokenId) {
      throw invalidToken('X-Client-Id does not match the token.');
    }
    if (token.expiresAt !== null && token.expiresAt <= Date.now()) {
      throw invalidToken('The token has expired.');
    }
    if (
      presented.organizationId !== undefined &&
      presented.organizationId.toLowerCase() !== token.organizationId
    ) {
      throw invalidToken('The token belongs to another organization.');
    }
    if (!token.ownerActive) throw invalidToken('The token owner is deactivated.');
    if (!token.principal.permissions.includes(Permission.ManageApiTokens)) {
      throw invalidToken('The token is blocked: its owner may not use API tokens at the moment.');
    }
    return token.principal;
  }

  /**
   * One read per digest at a time: when a cached entry's TTL runs out under load, the requests
   * that miss together share one lookup instead of each sending their own. A request joins only
   * a lookup begun since the last invalidation, so it never gets an answer older than a
   * revocation it could have seen.
   */
  private lookup(digest: string): Promise<VerifiedToken | null> {
    const generation = this.cache.currentGeneration;
    const running = this.inFlight.get(digest);
    if (running && running.generation === generation) return running.result;
    const result = this.load(digest)
      .then((token) => {
        // Without the invalidation listener another instance's revocation would go unheard.
        if (this.access.listening) this.cache.set(digest, token, generation);
        return token;
      })
      .finally(() => {
        if (this.inFlight.get(digest)?.result === result) this.inFlight.delete(digest);
      });
    this.inFlight.set(digest, { generation, result });
    return result;
  }

  private async load(digest: string): Promise<VerifiedToken | null> {
    const token = await this.em.findOne(ApiToken, { digest }, { disableIdentityMap: true });
    if (!token) return null;
    const owner = await this.users.findById(token.userId);
    if (!owner) return null;
    return {
      tokenId: token.id,
      organizationId: token.organizationId,
      expiresAt: token.expiresAt?.getTime() ?? null,
      ownerActive: owner.isActive,
      principal: Object.freeze({
        userId: owner.user.id,
        organizationId: owner.organizationId,
        email: owner.user.email,
        name: owner.user.name,
        authMethod: owner.authMethod,
        isSuperuser: owner.isSuperuser,
        permissions: Object.freeze([...owner.permissions]),
        via: 'token',
        tokenId: token.id,
        tokenName: token.name,
        tokenExpiresAt: token.expiresAt?.toISOString() ?? null,
        tokenAccess: token.access,
      }),
    };
  }
}
