import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import type { Principal } from '../auth/principal';
import { TokenVerifier } from './token-verifier.service';

/** What the strategy sees: only the Authorization header (never a query or body token). */
export interface BearerRequest {
  headers: { authorization: string };
  organizationId?: string;
}

/** `Authorization: Bearer <token>` (RFC 6750) through passport-http-bearer. */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly verifier: TokenVerifier) {
    super({ realm: 'keyhold', passReqToCallback: true });
  }

  validate(request: BearerRequest, token: string): Promise<Principal> {
    return this.verifier.verify({ raw: token, organizationId: request.organizationId });
  }
}
