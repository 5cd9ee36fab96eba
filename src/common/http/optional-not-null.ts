import { ValidateIf } from 'class-validator';

/** May be left out, but not sent as null (IsOptional lets null through to the database). */
export const OptionalNotNull = () => ValidateIf((_, value) => value !== undefined);
