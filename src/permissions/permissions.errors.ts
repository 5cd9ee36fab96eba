import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

export enum PermissionsErrorCode {
  LastSuperuser = 'last_superuser',
  PasswordWithoutSwitch = 'password_without_auth_method',
}

export const PermissionsException = exceptionFor(
  'PermissionsException',
  registerErrors<PermissionsErrorCode>({
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
