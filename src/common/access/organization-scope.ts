import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../errors/keyhold.exception';
import type { Principal } from './principal';

export enum OrganizationScopeErrorCode {
  /** The same code and definition the organizations module answers for an unknown id. */
  OrganizationNotFound = 'organization_not_found',
}

export const OrganizationScopeException = exceptionFor(
  'OrganizationsException',
  registerErrors<OrganizationScopeErrorCode>({
    organization_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such organization' },
  }),
);

/** Another organization does not exist for the caller: 404, whatever their role. */
export function assertOwnOrganization(principal: Principal, organizationId: string): string {
  if (organizationId !== principal.organizationId) {
    throw new OrganizationScopeException(
      OrganizationScopeErrorCode.OrganizationNotFound,
      'No such organization.',
    );
  }
  return organizationId;
}
