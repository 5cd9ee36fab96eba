import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

export enum OrganizationsErrorCode {
  SlugTaken = 'organization_slug_taken',
  InvalidSlug = 'invalid_organization_slug',
  InvalidTokenLifetime = 'invalid_token_lifetime',
}

export const OrganizationsException = exceptionFor(
  'OrganizationsException',
  registerErrors<OrganizationsErrorCode>({
    organization_slug_taken: { status: HttpStatus.CONFLICT, title: 'That slug is already in use' },
    invalid_organization_slug: { status: HttpStatus.BAD_REQUEST, title: 'Invalid slug' },
    invalid_token_lifetime: {
      status: HttpStatus.BAD_REQUEST,
      title: 'Invalid maximum token lifetime',
    },
  }),
);
