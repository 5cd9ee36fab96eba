import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** Operation extensions read (and removed) when the document is assembled (openapi-operations). */
export const ACCESS_EXTENSION = 'x-keyhold-access';
export const ERRORS_EXTENSION = 'x-keyhold-errors';

/** What the global AuthGuard applies to an operation, as far as a client can observe it. */
export interface OperationAccess {
  public: boolean;
  sessionOnly: boolean;
  permission: boolean;
  superuser: boolean;
  recentPassword: boolean;
}

/** Set by `@Public()` / `@Authenticated()`: security, headers and refusals derive from it. */
export const ApiAccess = (access: OperationAccess) => ApiExtension(ACCESS_EXTENSION, access);

/**
 * The module error codes a handler's service can answer (the values of the modules' error-code
 * enums). Status and title come from the registered tables; auth, validation and the common
 * codes are added from the route's rule and shape, so only the handler's own ones go here.
 */
export const ApiErrors = (...codes: string[]) =>
  applyDecorators(ApiExtension(ERRORS_EXTENSION, codes));
