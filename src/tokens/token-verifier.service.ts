import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuthErrorCode, AuthException } from '../auth/auth.errors';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/app-config';
import { Permission } from '../permissions/permission';
import { UsersService } from '../users/users.service';
import { ApiToken } from './api-token.entity';
import { isWellFormedToken, tokenDigest } from './token-format';

export interface TokenPresentation {
  raw: string;
  /** X-Client-Id, when the token came in X-Api-Token: it must name the same token. */
  clientId?: string;
  /** X-Organization-Id / X-Workspace-Id, when sent: it must name the token's organization. */
  organizationId?: string;
}

/** 401 with the RFC 6750 challenge; the description is fixed text, never caller input. */
export function invalidToken(description: string): AuthException {
  // RFC 6750 §3: error_description excludes '"' and '\'.
  const quoted = description.replace(/["\\]/g, "'");
  return new AuthException(AuthErrorCode.InvalidToken, description, {
    headers: {
      'www-authenticate': `Bearer realm="keyhold", error="invalid_token", error_description="${quoted}"`,
    },
  });
}

@Injectable()
export class TokenVerifier {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  /** The principal a token stands for, or a 401 saying why not. */
  async verify(presented: TokenPresentation): Promise<Principal> {
    if (!isWellFormedToken(presented.raw, this.config.tokens.prefix)) {
      throw invalidToken('The token is malformed or its checksum is wrong.');
    }
    const token = await this.em.findOne(ApiToken, { digest: tokenDigest(presented.raw) });
    if (!token) throw invalidToken('The token is unknown or has been revoked.');
    if (presented.clientId !== undefined && presented.clientId !== token.id) {
      throw invalidToken('X-Client-Id does not match the token.');
    }
    if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) {
      throw invalidToken('The token has expired.');
    }
    if (
      presented.organizationId !== undefined &&
      presented.organizationId !== token.organizationId
    ) {
      throw invalidToken('The token belongs to another organization.');
    }
    const owner = await this.users.findById(token.userId);
    if (!owner || !owner.isActive) throw invalidToken('The token owner is deactivated.');
    if (!owner.permissions.includes(Permission.ManageApiTokens)) {
      throw invalidToken('The token is blocked: its owner may not use API tokens at the moment.');
    }
    return {
      userId: owner.user.id,
      organizationId: owner.organizationId,
      email: owner.user.email,
      name: owner.user.name,
      authMethod: owner.authMethod,
      isSuperuser: owner.isSuperuser,
      permissions: owner.permissions,
      via: 'token',
      tokenId: token.id,
      tokenName: token.name,
    };
  }
}
