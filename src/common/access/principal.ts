import type { AuthMethod } from './auth-method';

/** Who is calling, and how they proved it; set on the request by the global AuthGuard. */
export interface Principal {
  userId: string;
  organizationId: string;
  email: string;
  name: string;
  authMethod: AuthMethod;
  isSuperuser: boolean;
  permissions: readonly string[];
  via: 'session' | 'token';
  sessionId?: string;
  /** Session only: when the password was last entered; null for SSO sessions. */
  passwordVerifiedAt?: Date | null;
  tokenId?: string;
  tokenName?: string;
  tokenExpiresAt?: string | null;
  /** Token only: read_only tokens are refused on unsafe methods (403 insufficient_scope). */
  tokenAccess?: 'read_only' | 'read_write';
}

/** A principal proven by an API token: it always names the token, its expiry and access level. */
export type TokenPrincipal = Principal & {
  via: 'token';
  tokenId: string;
  tokenName: string;
  /** ISO time, or null for a token that never expires. */
  tokenExpiresAt: string | null;
  tokenAccess: 'read_only' | 'read_write';
};

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
