import {
  OrganizationsErrorCode,
  OrganizationsException,
} from '../organizations/organizations.errors';
import type { Principal } from './principal';

/** Another organization does not exist for the caller: 404, whatever their role. */
export function assertOwnOrganization(principal: Principal, organizationId: string): string {
  if (organizationId !== principal.organizationId) {
    throw new OrganizationsException(
      OrganizationsErrorCode.OrganizationNotFound,
      'No such organization.',
    );
  }
  return organizationId;
}
