import { ApiToken } from './api-token.entity';
import type { TokenView } from './tokens.dto';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The list shape of SPEC §5 (never the digest). */
export function tokenView(token: ApiToken, blocked: boolean): TokenView {
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
  };
}
