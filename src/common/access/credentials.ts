import type { FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './cookies';

/** What the caller presented, in SPEC §3 order. Tokens are never read from the query or body. */
export type Credential =
  | { kind: 'bearer'; authorization: string }
  | { kind: 'token'; raw: string }
  | { kind: 'client'; clientId: string; raw: string }
  | { kind: 'session'; secret: string }
  | { kind: 'malformed'; description: string }
  | { kind: 'none' };

export type TokenCredential = Extract<Credential, { kind: 'bearer' | 'token' | 'client' }>;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

export function extractCredential(request: FastifyRequest): Credential {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    if (/^bearer(\s|$)/i.test(authorization)) return { kind: 'bearer', authorization };
    if (/^token(\s|$)/i.test(authorization)) {
      const match = /^token ([^\s]+)$/i.exec(authorization);
      return match
        ? { kind: 'token', raw: match[1] }
        : {
            kind: 'malformed',
            description: 'Malformed Authorization header; use "Token <token>".',
          };
    }
    return {
      kind: 'malformed',
      description: 'Unsupported Authorization scheme; use Bearer or Token.',
    };
  }
  const raw = header(request, 'x-api-token');
  const clientId = header(request, 'x-client-id');
  if (raw !== undefined || clientId !== undefined) {
    return raw && clientId
      ? { kind: 'client', clientId, raw }
      : { kind: 'malformed', description: 'Send X-Client-Id and X-Api-Token together.' };
  }
  const secret = request.cookies?.[SESSION_COOKIE];
  return secret ? { kind: 'session', secret } : { kind: 'none' };
}

export const isTokenCredential = (credential: Credential): credential is TokenCredential =>
  credential.kind === 'bearer' || credential.kind === 'token' || credential.kind === 'client';

/** X-Organization-Id, or its alias X-Workspace-Id. */
export const requestedOrganization = (request: FastifyRequest): string | undefined =>
  header(request, 'x-organization-id') ?? header(request, 'x-workspace-id');
