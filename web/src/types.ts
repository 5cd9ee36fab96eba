/** The JSON shapes of the public API (SPEC §2a, §5) that the console reads. */

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type AuthMethod = 'password' | 'sso';
export type Access = 'read_write' | 'read_only';

export interface Me {
  user: { id: string; email: string; name: string; authMethod: AuthMethod };
  organization: { id: string; slug: string; name: string; maxTokenLifetimeDays?: number | null };
  isSuperuser: boolean;
  permissions: string[];
  auth: { kind: 'session' | 'token'; tokenId?: string; tokenName?: string };
}

export interface RecentIp {
  ip: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface RevokedBy {
  kind: 'owner' | 'superuser' | 'leak_report';
  userId?: string;
  name?: string;
}

export interface TokenItem {
  id: string;
  name: string;
  preview: string;
  createdAt: string;
  createdIp: string;
  createdUserAgent: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedMethod: string | null;
  lastUsedPath: string | null;
  lastUsedIp: string | null;
  blocked: boolean;
  // Token lifecycle (SPEC §2a); absent on servers without it.
  access?: Access;
  recentIps?: RecentIp[];
  revokedAt?: string | null;
  revokedBy?: RevokedBy | null;
  expiredAt?: string | null;
  rotatedToId?: string | null;
  rotatedFromId?: string | null;
  owner?: { id: string; email: string; name: string };
}

export interface CreatedToken {
  id: string;
  name: string;
  token: string;
  preview: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface Member {
  id: string;
  email: string;
  name: string;
  isActive: boolean;
  isSuperuser: boolean;
  permissions: string[];
  authMethod: AuthMethod;
  lastLoginAt: string | null;
  failedLoginCount: number;
  activeTokenCount: number;
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  action: string;
  actor: { userId: string | null; via: string; tokenId?: string };
  targetUserId: string | null;
  targetTokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

export const MANAGE_TOKENS = 'api_tokens.manage';
export const MANAGE_TOKENS_LABEL = 'Can create and manage personal API tokens';
