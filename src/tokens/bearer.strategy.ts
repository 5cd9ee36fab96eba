import { Injectable } from '@nestjs/common';
import passport from 'passport';
import { Strategy } from 'passport-http-bearer';
import { invalidToken } from '../auth/auth.errors';
import type { Principal } from '../auth/principal';
import { TokenVerifier } from './token-verifier.service';

/** What the strategy sees: only the Authorization header (never a query or body token). */
export interface BearerRequest {
  headers: { authorization: string };
  organizationId?: string;
}

type Settle = (error: unknown, principal?: Principal) => void;
type Done = (error: unknown, principal?: Principal) => void;

/**
 * `Authorization: Bearer <token>` (RFC 6750) through passport-http-bearer. Registered with
 * passport directly rather than through @nestjs/passport's mixin, which awaits every
 * validation: here a cached token is accepted synchronously, without a promise on the hot path.
 */
@Injectable()
export class BearerStrategy {
  constructor(verifier: TokenVerifier) {
    passport.use(
      'bearer',
      new Strategy(
        { realm: 'keyhold', passReqToCallback: true },
        (request: unknown, token: string, done: Done) => {
          const settle: Settle = (error, principal) =>
            error ? done(error) : done(null, principal);
          try {
            const result = verifier.verify({
              raw: token,
              organizationId: (request as BearerRequest).organizationId,
            });
            if (result instanceof Promise)
              result.then((principal) => settle(null, principal), settle);
            else settle(null, result);
          } catch (error) {
            settle(error);
          }
        },
      ),
    );
  }

  /** Runs the strategy; synchronous when the verifier answers from its cache. */
  authenticate(request: BearerRequest): Principal | Promise<Principal> {
    let outcome: { principal: Principal } | { error: unknown } | undefined;
    let settle: Settle = (error, principal) => {
      outcome = error || !principal ? { error: error ?? malformed() } : { principal };
    };
    const handler = passport.authenticate(
      'bearer',
      { session: false },
      (error: unknown, principal: Principal | false) => settle(error, principal || undefined),
    ) as (req: unknown, res: unknown, next: (error: unknown) => void) => void;
    handler(request, {}, (error) => settle(error));
    if (outcome) {
      if ('principal' in outcome) return outcome.principal;
      throw toError(outcome.error);
    }
    return new Promise((resolve, reject) => {
      settle = (error, principal) =>
        error || !principal ? reject(toError(error ?? malformed())) : resolve(principal);
    });
  }
}

const malformed = () => invalidToken('Malformed Authorization header; use "Bearer <token>".');
const toError = (error: unknown) =>
  error instanceof Error ? error : invalidToken('The token could not be checked.');
