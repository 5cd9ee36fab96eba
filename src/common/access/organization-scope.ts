import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../errors/keyhold.exception';
import type { Principal } from './principal';

export enum OrganizationScopeErrorCode {
  /** An unknown organization, or another one than the caller's: the one definition of it. */
  OrganizationNotFound = 'organization_not_found',
}

export const OrganizationScopeException = exceptionFor(
  'OrganizationScopeException',
  registerErrors<OrganizationScopeErrorCode>({
    organization_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such organization' },
  }),
);

export const organizationNotFound = (detail = 'No such organization.') =>
  new OrganizationScopeException(OrganizationScopeErrorCode.OrganizationNotFound, detail);

/** Another organization does not exist for the caller: 404, whatever their role. */
export function assertOwnOrganization(principal: Principal, organizationId: string): string {
  if (organizationId !== principal.organizationId) throw organizationNotFound();
  return organizationId;
}
