import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { decodeTimeCursor, Page, PageQuery, toPage } from '../common/http/pagination';
import type { RequestMeta } from '../common/http/request-meta';
import { TokenChannel } from './api-token.entity';
import { tokenView } from './token.view';
import { CreatedTokenView, CreateTokenDto, TokenView } from './tokens.dto';
import { TokensService } from './tokens.service';

/** The signed-in user's own tokens (profile API and api-token-auth). */
@Injectable()
export class ProfileTokensService {
  constructor(private readonly tokens: TokensService) {}

  /** From the profile (a session) or api-token-auth (`via: 'password'`). */
  async create(
    owner: Pick<Principal, 'userId' | 'organizationId'>,
    body: CreateTokenDto,
    meta: RequestMeta,
    channel = TokenChannel.Profile,
  ): Promise<CreatedTokenView> {
    const via = channel === TokenChannel.Profile ? 'session' : 'password';
    const { token, raw } = await this.tokens.create(
      owner,
      { name: body.name, expiresInDays: body.expiresInDays, channel },
      meta,
      { userId: owner.userId, via },
    );
    return {
      id: token.id,
      name: token.name,
      token: raw,
      preview: token.preview,
      createdAt: token.createdAt.toISOString(),
      expiresAt: token.expiresAt?.toISOString() ?? null,
    };
  }

  async list(principal: Principal, page: PageQuery): Promise<Page<TokenView>> {
    const rows = await this.tokens.listActive(principal.userId, {
      limit: page.limit,
      after: page.cursor ? decodeTimeCursor(page.cursor) : undefined,
    });
    // Listing requires api_tokens.manage, so none of the caller's own tokens is blocked.
    return toPage(
      rows,
      page.limit,
      (token) => tokenView(token, false),
      (token) => [token.createdAt.toISOString(), token.id],
    );
  }

  async revoke(principal: Principal, tokenId: string, meta: RequestMeta): Promise<void> {
    const actor = { userId: principal.userId, via: 'session' as const };
    await this.tokens.revoke(tokenId, { userId: principal.userId }, actor, meta);
  }
}
