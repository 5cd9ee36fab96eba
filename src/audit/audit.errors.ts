import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

export enum AuditErrorCode {
  OrganizationNotFound = 'organization_not_found',
}

export const AuditException = exceptionFor(
  'AuditException',
  registerErrors<AuditErrorCode>({
    // Same code and answer as the organizations module: another organization does not exist for you.
    organization_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such organization' },
  }),
);
export type AuditException = InstanceType<typeof AuditException>;
