import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

export enum PermissionsErrorCode {
  MemberNotFound = 'member_not_found',
  LastSuperuser = 'last_superuser',
}

export const PermissionsException = exceptionFor(
  'PermissionsException',
  registerErrors<PermissionsErrorCode>({
    member_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such member' },
    last_superuser: {
      status: HttpStatus.CONFLICT,
      title: 'The organization must keep an active superuser',
    },
  }),
);
