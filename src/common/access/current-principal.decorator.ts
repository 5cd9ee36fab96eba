import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';
import { AuthErrorCode, AuthException } from './auth.errors';

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (!principal) {
      throw new AuthException(
        AuthErrorCode.AuthenticationRequired,
        'Sign in or send an API token.',
      );
    }
    return principal;
  },
);
