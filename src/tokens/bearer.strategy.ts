import { Injectable } from '@nestjs/common';
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

/** The actions passport gives a strategy for one request (passport-strategy's contract). */
interface StrategyAttempt {
  authenticate(request: BearerRequest): void;
  success(principal: TokenPrincipal): void;
  fail(): void;
  error(error: unknown): void;
}

/**
 * `Authorization: Bearer <token>` (RFC 6750), parsed by passport-http-bearer's strategy. The
 * strategy is driven the way passport's authenticate() drives it (a per-request copy given
 * success/fail/error), without passport's middleware: that allocated a middleware and a strategy
 * copy per request and made a promise of what the verifier answers synchronously from its cache.
 * Each application has its own strategy instance: on passport's process-global object, a second
 * app in the process replaced the first app's verifier.
 */
@Injectable()
export class BearerStrategy {
  private readonly strategy: object;

  constructor(verifier: TokenVerifier) {
    this.strategy = new Strategy(
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
    );
  }

  /** Runs the strategy; synchronous when the verifier answers from its cache. */
  authenticate(request: BearerRequest): TokenPrincipal | Promise<TokenPrincipal> {
    let outcome: { principal: TokenPrincipal } | { error: unknown } | undefined;
    let settle: Settle = (error, principal) => {
      outcome = error || !principal ? { error: error ?? malformed() } : { principal };
    };
    const attempt = Object.create(this.strategy) as StrategyAttempt;
    attempt.success = (principal) => settle(null, principal);
    attempt.fail = () => settle(null);
    attempt.error = (error) => settle(error);
    attempt.authenticate(request);
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
