import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { requestedOrganization, TokenCredential } from '../common/access/credentials';
import type { TokenPrincipal } from '../common/access/principal';
import { clientIp, requestPath } from '../common/http/request-meta';
import { then } from '../common/maybe-promise';
import { BearerStrategy } from './bearer.strategy';
import { LastUsedRecorder } from './last-used.recorder';
import { TokenVerifier } from './token-verifier.service';

/** Turns a token credential into a principal and notes the use (buffered, off the request path). */
@Injectable()
export class TokenAuthenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly bearer: BearerStrategy,
    private readonly lastUsed: LastUsedRecorder,
  ) {}

  /** Synchronous when the token is cached; a promise when it has to be looked up. */
  authenticate(
    credential: TokenCredential,
    request: FastifyRequest,
  ): TokenPrincipal | Promise<TokenPrincipal> {
    const organizationId = requestedOrganization(request);
    const result =
      credential.kind === 'bearer'
        ? this.bearer.authenticate({
            headers: { authorization: credential.authorization },
            organizationId,
          })
        : this.verifier.verify({
            raw: credential.raw,
            clientId: credential.kind === 'client' ? credential.clientId : undefined,
            organizationId,
          });
    return then(result, (principal) => this.noteUse(principal, request));
  }

  private noteUse(principal: TokenPrincipal, request: FastifyRequest): TokenPrincipal {
    this.lastUsed.record(principal.tokenId, {
      at: new Date(),
      method: request.method,
      path: requestPath(request),
      ip: clientIp(request),
      userAgent: request.headers['user-agent'],
    });
    return principal;
  }
}
