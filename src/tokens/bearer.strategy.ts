import { Injectable } from '@nestjs/common';
import passport from 'passport';
import { Strategy } from 'passport-http-bearer';
import { invalidToken } from '../common/access/auth.errors';
import type { TokenPrincipal } from '../common/access/principal';
import { TokenVerifier } from './token-verifier.service';

/** What the strategy sees: only the Authorization header (never a query or body token). */
export interface BearerRequest {
  headers: { authorization: string };
  organizationId?: string;
}

type Settle = (error: unknown, principal?: TokenPrincipal) => void;

/**
 * `Authorization: Bearer <token>` (RFC 6750) through passport-http-bearer. Registered with
 * passport directly rather than through @nestjs/passport's mixin, which awaits every
 * validation: here a cached token is accepted synchronously, without a promise on the hot path.
 * Each application has its own passport instance: on passport's process-global one, a second
 * app in the process (a test, a CLI context) replaced the first app's strategy and verifier.
 */
@Injectable()
export class BearerStrategy {
  private readonly passport = new passport.Passport();

  constructor(verifier: TokenVerifier) {
    this.passport.use(
      'bearer',
      new Strategy(
        { realm: 'keyhold', passReqToCallback: true },
        (request: unknown, token: string, done: Settle) => {
          try {
            const result = verifier.verify({
              raw: token,
              organizationId: (request as BearerRequest).organizationId,
            });
            if (result instanceof Promise) result.then((principal) => done(null, principal), done);
            else done(null, result);
          } catch (error) {
            done(error);
          }
        },
      ),
    );
  }

  /** Runs the strategy; synchronous when the verifier answers from its cache. */
  authenticate(request: BearerRequest): TokenPrincipal | Promise<TokenPrincipal> {
    let outcome: { principal: TokenPrincipal } | { error: unknown } | undefined;
    let settle: Settle = (error, principal) => {
      outcome = error || !principal ? { error: error ?? malformed() } : { principal };
    };
    const handler = this.passport.authenticate(
      'bearer',
      { session: false },
      (error: unknown, principal: TokenPrincipal | false) => settle(error, principal || undefined),
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
