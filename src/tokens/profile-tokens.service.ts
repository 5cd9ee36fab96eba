import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { decodeTimeCursor, Page, toPage } from '../common/http/pagination';
import type { RequestMeta } from '../common/http/request-meta';
import { UsersService } from '../users/users.service';
import { TokenChannel } from '../common/access/token-kinds';
import { IssuedToken } from './token-issuing';
import { TokenRotation } from './token-rotation.service';
import { revokerIds, tokenView } from './token.view';
import {
  CreatedTokenView,
  CreateTokenDto,
  ObtainedTokenView,
  RotatedTokenView,
  RotateTokenDto,
  TokenListQuery,
  TokenView,
} from './tokens.dto';
import { TokensService } from './tokens.service';

const createdView = ({ token, raw }: IssuedToken): CreatedTokenView => ({
  id: token.id,
  name: token.name,
  token: raw,
  preview: token.preview,
  createdAt: token.createdAt.toISOString(),
  expiresAt: token.expiresAt?.toISOString() ?? null,
  access: token.access,
});

/** The signed-in user's own tokens (profile API and api-token-auth). */
@Injectable()
export class ProfileTokensService {
  constructor(
    private readonly tokens: TokensService,
    private readonly rotation: TokenRotation,
    private readonly users: UsersService,
  ) {}

  async create(
    owner: Pick<Principal, 'userId' | 'organizationId'>,
    body: CreateTokenDto,
    meta: RequestMeta,
  ): Promise<CreatedTokenView> {
    const issued = await this.tokens.create(
      owner,
      {
        name: body.name,
        expiresInDays: body.expiresInDays,
        channel: TokenChannel.Profile,
        access: body.access,
      },
      meta,
      { userId: owner.userId, via: 'session' },
    );
    return createdView(issued);
  }

  /**
   * api-token-auth (`via: 'password'`): a read-write token; an active token of the same name is
   * rotated with the default overlap rather than refused.
   */
  async obtain(
    owner: Pick<Principal, 'userId' | 'organizationId'>,
    body: { name: string; expiresInDays?: number | null },
    meta: RequestMeta,
  ): Promise<ObtainedTokenView> {
    const { token, raw } = await this.tokens.create(
      owner,
      {
        name: body.name,
        expiresInDays: body.expiresInDays,
        channel: TokenChannel.ApiTokenAuth,
        rotateSameName: true,
      },
      meta,
      { userId: owner.userId, via: 'password' },
    );
    return {
      token: raw,
      id: token.id,
      name: token.name,
      preview: token.preview,
      expiresAt: token.expiresAt?.toISOString() ?? null,
    };
  }

  async rotate(
    principal: Principal,
    tokenId: string,
    body: RotateTokenDto,
    meta: RequestMeta,
  ): Promise<RotatedTokenView> {
    const issued = await this.rotation.rotate(principal, tokenId, body, meta, {
      userId: principal.userId,
      via: 'session',
    });
    return { ...createdView(issued), rotatedFromId: issued.token.rotatedFromId ?? tokenId };
  }

  async list(principal: Principal, query: TokenListQuery): Promise<Page<TokenView>> {
    const rows = await this.tokens.listOwn(principal.userId, query.state, {
      limit: query.limit,
      after: query.cursor ? decodeTimeCursor(query.cursor) : undefined,
    });
    const revokers = await this.users.findMembers(revokerIds(rows));
    const names = new Map(revokers.map((member) => [member.user.id, member.user.name]));
    // Listing requires api_tokens.manage, so none of the caller's own tokens is blocked.
    return toPage(
      rows,
      query.limit,
      (token) => tokenView(token, false, names),
      (token) => [token.createdAt.toISOString(), token.id],
    );
  }

  async revoke(principal: Principal, tokenId: string, meta: RequestMeta): Promise<void> {
    const actor = { userId: principal.userId, via: 'session' as const };
    await this.tokens.revoke(tokenId, { userId: principal.userId }, actor, meta);
  }
}
