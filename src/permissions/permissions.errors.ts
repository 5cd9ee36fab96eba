import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

export enum PermissionsErrorCode {
  MemberNotFound = 'member_not_found',
  LastSuperuser = 'last_superuser',
  PasswordWithoutSwitch = 'password_without_auth_method',
}

export const PermissionsException = exceptionFor(
  'PermissionsException',
  registerErrors<PermissionsErrorCode>({
    member_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such member' },
    password_without_auth_method: {
      status: HttpStatus.BAD_REQUEST,
      title: 'A password goes with authMethod: password',
    },
    last_superuser: {
      status: HttpStatus.CONFLICT,
      title: 'The organization must keep an active superuser',
    },
  }),
);
