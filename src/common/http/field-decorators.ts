import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { CarriesSecret } from './carries-secret';

/**
 * Several property decorators as one, applied exactly as if they were written above the
 * property in this order (decorators apply bottom-up, and class-validator reports the
 * constraints of a field in the order they were applied).
 */
export function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorator of [...decorators].reverse()) decorator(target, property);
  };
}

/** For `@Transform`: text loses its surrounding white space; anything else passes as it is. */
export const trimText = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/**
 * A password typed to prove who one is (sign-in, re-authentication, the current password,
 * api-token-auth): any non-empty text up to 1024 characters, a secret field.
 */
export const EnteredPassword = () =>
  stacked(
    ApiProperty({ format: 'password' }),
    CarriesSecret(),
    IsString(),
    MinLength(1),
    MaxLength(1024),
  );
