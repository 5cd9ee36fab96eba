import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import { invalidToken } from '../auth/auth.errors';
import { requestedOrganization, TokenCredential } from '../auth/credentials';
import type { Principal } from '../auth/principal';
import { requestMetaOf } from '../common/http/request-meta';
import { BearerRequest } from './bearer.strategy';
import { LastUsedRecorder } from './last-used.recorder';
import { TokenVerifier } from './token-verifier.service';

/** Turns a token credential into a principal and notes the use (buffered, off the request path). */
@Injectable()
export class TokenAuthenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly lastUsed: LastUsedRecorder,
  ) {}

  async authenticate(credential: TokenCredential, request: FastifyRequest): Promise<Principal> {
    const organizationId = requestedOrganization(request);
    const principal =
      credential.kind === 'bearer'
        ? await this.viaPassport({
            headers: { authorization: credential.authorization },
            organizationId,
          })
        : await this.verifier.verify({
            raw: credential.raw,
            clientId: credential.kind === 'client' ? credential.clientId : undefined,
            organizationId,
          });
    const meta = requestMetaOf(request);
    this.lastUsed.record(principal.tokenId ?? '', {
      at: new Date(),
      method: request.method,
      path: request.url.split('?')[0],
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    return principal;
  }

  private viaPassport(request: BearerRequest): Promise<Principal> {
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) =>
        reject(error instanceof Error ? error : invalidToken('The token could not be checked.'));
      const authenticate = passport.authenticate(
        'bearer',
        { session: false },
        (error: unknown, principal: Principal | false) => {
          if (error) fail(error);
          else if (!principal)
            reject(invalidToken('Malformed Authorization header; use "Bearer <token>".'));
          else resolve(principal);
        },
      ) as (req: unknown, res: unknown, next: (error: unknown) => void) => void;
      authenticate(request, {}, fail);
    });
  }
}
