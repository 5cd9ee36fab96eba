import { ApiToken } from './api-token.entity';
import type { RevokedByView, TokenView } from './tokens.dto';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function revokedByOf(token: ApiToken, names: ReadonlyMap<string, string>): RevokedByView | null {
  if (!token.revokedAt) return null;
  const kind = token.revokedByKind ?? (token.revokedBy ? 'owner' : 'leak_report');
  if (kind === 'leak_report') return { kind };
  const userId = token.revokedBy ?? undefined;
  if (kind === 'owner') return { kind, ...(userId ? { userId } : {}) };
  return {
    kind,
    ...(userId ? { userId, name: names.get(userId) ?? 'a former superuser' } : {}),
  };
}

/** The ids of the people who revoked these tokens (to look their names up in one query). */
export const revokerIds = (tokens: ApiToken[]): string[] => [
  ...new Set(
    tokens.flatMap((token) =>
      token.revokedByKind === 'superuser' && token.revokedBy ? [token.revokedBy] : [],
    ),
  ),
];

/** The list shape of SPEC §5 and §2a (never the digest). `names`: revokers' names by id. */
export function tokenView(
  token: ApiToken,
  blocked: boolean,
  names: ReadonlyMap<string, string> = new Map(),
): TokenView {
  const expired = !token.revokedAt && token.expiresAt && token.expiresAt.getTime() <= Date.now();
  return {
    id: token.id,
    name: token.name,
    preview: token.preview,
    createdAt: token.createdAt.toISOString(),
    createdIp: token.createdIp,
    createdUserAgent: token.createdUserAgent,
    expiresAt: iso(token.expiresAt),
    lastUsedAt: iso(token.lastUsedAt),
    lastUsedMethod: token.lastUsedMethod,
    lastUsedPath: token.lastUsedPath,
    lastUsedIp: token.lastUsedIp,
    blocked,
    access: token.access,
    recentIps: [...token.recentIps].sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt)),
    revokedAt: iso(token.revokedAt),
    revokedBy: revokedByOf(token, names),
    expiredAt: expired ? iso(token.expiresAt) : null,
    rotatedFromId: token.rotatedFromId,
    rotatedToId: token.rotatedToId,
  };
}
