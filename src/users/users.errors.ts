import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

export enum UsersErrorCode {
  EmailTaken = 'email_taken',
  PasswordRequired = 'password_required',
  PasswordNotAllowed = 'password_not_allowed',
  UserNotFound = 'user_not_found',
  InvalidEmail = 'invalid_email',
  MemberNotFound = 'member_not_found',
}

export const UsersException = exceptionFor(
  'UsersException',
  registerErrors<UsersErrorCode>({
    email_taken: { status: HttpStatus.CONFLICT, title: 'That email address is already in use' },
    password_required: { status: HttpStatus.BAD_REQUEST, title: 'A password is required' },
    password_not_allowed: {
      status: HttpStatus.BAD_REQUEST,
      title: 'SSO accounts have no local password',
    },
    user_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such user' },
    invalid_email: { status: HttpStatus.BAD_REQUEST, title: 'Not one plain email address' },
    member_not_found: { status: HttpStatus.NOT_FOUND, title: 'No such member' },
  }),
);
