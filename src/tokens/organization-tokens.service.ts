import { EntityManager, raw } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { assertOwnOrganization } from '../common/access/organization-scope';
import type { Principal } from '../common/access/principal';
import {
  decodeCursor,
  decodeTimeCursor,
  invalidCursor,
  Page,
  toPage,
} from '../common/http/pagination';
import type { RequestMeta } from '../common/http/request-meta';
import { Permission } from '../common/access/permission';
import { UsersService } from '../users/users.service';
import { ApiToken } from './api-token.entity';
import { OrganizationTokensQuery, TokenSort } from './organization-tokens.query';
import { revokerIds, tokenView } from './token.view';
import { stateFilter, TokensService } from './tokens.service';
import { UsersErrorCode, UsersException } from '../users/users.errors';
import type { OrganizationTokenView } from './organization-tokens.dto';
import { containsPattern } from '../common/text';

// Keyset pagination needs a total order without nulls: a never-used token sorts as the epoch.
const SORT_SQL: Record<string, string> = {
  createdAt: 't.created_at',
  lastUsedAt: "coalesce(t.last_used_at, 'epoch'::timestamptz)",
  name: 'lower(t.name)',
};

function sortValue(token: ApiToken, key: string): string {
  // The raw name: the query lowercases both sides with PostgreSQL's lower(), so they agree.
  if (key === 'name') return token.name;
  if (key === 'lastUsedAt') return (token.lastUsedAt ?? new Date(0)).toISOString();
  return token.createdAt.toISOString();
}

/** Every active token of an organization, for its superusers. */
@Injectable()
export class OrganizationTokensService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  async list(
    principal: Principal,
    organizationId: string,
    query: OrganizationTokensQuery,
  ): Promise<Page<OrganizationTokenView>> {
    assertOwnOrganization(principal, organizationId);
    const { key, descending } = this.parseSort(query.sort);
    const rows = await this.findRows(organizationId, query, key, descending);
    const people = await this.users.findMembers([
      ...new Set([...rows.map((token) => token.userId), ...revokerIds(rows)]),
    ]);
    const byId = new Map(people.map((member) => [member.user.id, member]));
    const names = new Map(people.map((member) => [member.user.id, member.user.name]));
    return toPage(
      rows,
      query.limit,
      (token) => {
        const owner = byId.get(token.userId);
        const blocked = !owner?.isActive || !owner.permissions.includes(Permission.ManageApiTokens);
        return {
          ...tokenView(token, blocked, names),
          owner: { id: token.userId, email: owner?.user.email ?? '', name: owner?.user.name ?? '' },
        };
      },
      (token) => [sortValue(token, key), token.id],
    );
  }

  /** One page of the organization's tokens (plus one, to tell whether there is a next page). */
  private async findRows(
    organizationId: string,
    query: OrganizationTokensQuery,
    key: string,
    descending: boolean,
  ): Promise<ApiToken[]> {
    const qb = this.em
      .createQueryBuilder(ApiToken, 't')
      .where({ organizationId, ...stateFilter(query.state) });
    if (query.q) {
      const pattern = containsPattern(query.q);
      const owners = await this.users.searchMemberIds(organizationId, query.q);
      qb.andWhere({
        $or: [
          { name: { $ilike: pattern } },
          { preview: { $ilike: pattern } },
          ...(owners.length ? [{ userId: { $in: owners } }] : []),
        ],
      });
    }
    if (query.cursor) {
      const { value, id } = this.decodeSortCursor(query.cursor, key);
      const comparison = descending ? '<' : '>';
      const cast = key === 'name' ? 'lower(?)' : '?::timestamptz';
      qb.andWhere(`(${SORT_SQL[key]}, t.id) ${comparison} (${cast}, ?::uuid)`, [
        String(value),
        String(id),
      ]);
    }
    const direction = descending ? 'desc' : 'asc';
    return qb
      .orderBy({ [raw(SORT_SQL[key])]: direction, id: direction })
      .limit(query.limit + 1)
      .getResult();
  }

  async revoke(
    principal: Principal,
    organizationId: string,
    tokenId: string,
    meta: RequestMeta,
  ): Promise<void> {
    assertOwnOrganization(principal, organizationId);
    await this.tokens.revoke(
      tokenId,
      { organizationId },
      { userId: principal.userId, via: 'session' },
      meta,
    );
  }

  /** Every active token of one member (a colleague leaves); 404 for someone not in the organization. */
  async revokeAllOf(
    principal: Principal,
    organizationId: string,
    userId: string,
    meta: RequestMeta,
  ): Promise<{ revoked: number }> {
    assertOwnOrganization(principal, organizationId);
    const member = isUUID(userId) ? await this.users.findMember(organizationId, userId) : null;
    if (!member) {
      throw new UsersException(UsersErrorCode.MemberNotFound, 'No such member.');
    }
    const revoked = await this.tokens.revokeAllOf(
      { userId, organizationId },
      { userId: principal.userId, via: 'session' },
      meta,
    );
    return { revoked };
  }

  /** A cursor is only ever compared as the sort key's type and a uuid: anything else is a 400. */
  private decodeSortCursor(cursor: string, key: string): { value: string; id: string } {
    if (key !== 'name') {
      const { createdAt, id } = decodeTimeCursor(cursor);
      return { value: createdAt.toISOString(), id };
    }
    const [value, id] = decodeCursor(cursor, 2);
    if (typeof value !== 'string' || typeof id !== 'string' || !isUUID(id)) throw invalidCursor();
    return { value, id };
  }

  private parseSort(sort: TokenSort): { key: string; descending: boolean } {
    return { key: sort.replace(/^-/, ''), descending: sort.startsWith('-') };
  }
}
