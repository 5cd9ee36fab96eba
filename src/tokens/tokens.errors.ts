import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

export enum TokensErrorCode {
  TokenNameTaken = 'token_name_taken',
  TokenLimitReached = 'token_limit_reached',
  TokenNotFound = 'token_not_found',
  TokenLifetimeExceeded = 'token_lifetime_exceeded',
  TokenNotRotatable = 'token_not_rotatable',
}

export const TokensException = exceptionFor(
  'TokensException',
  registerErrors<TokensErrorCode>({
    token_name_taken: {
      status: HttpStatus.CONFLICT,
      title: 'You already have a token with that name',
    },
    token_limit_reached: { status: HttpStatus.CONFLICT, title: 'Token limit reached' },
    token_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such token' },
    token_not_rotatable: {
      status: HttpStatus.CONFLICT,
      title: 'Only an active token that has not been rotated can be rotated',
    },
    token_lifetime_exceeded: {
      status: HttpStatus.BAD_REQUEST,
      title: 'Longer than your organization allows',
    },
  }),
);
