import {
  ArgumentMetadata,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { CommonErrorCode, CommonException } from '../errors/common-errors';
import { FieldError } from '../errors/keyhold.exception';
import { inputShapeErrors } from './input-shape';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.includes('should not exist') ? `${field} is not a known field` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

const invalid = (errors: FieldError[]) =>
  new CommonException(
    CommonErrorCode.ValidationFailed,
    errors.map((error) => error.message).join('; '),
    { errors },
  );

/**
 * Rejects unknown fields (whatever their name), wrong types, control characters and pasted tokens
 * with field-level RFC 9457 errors.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  private readonly validation = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalid(flatten(errors)),
  });

  /** Synchronous for our own parameter decorators (the principal, request meta): no client input. */
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      if (
        metadata.type === 'body' &&
        (value === null || typeof value !== 'object' || Array.isArray(value))
      ) {
        if (metadata.metatype && metadata.metatype !== Object) {
          throw invalid([{ field: 'body', message: 'The body must be a JSON object' }]);
        }
      }
      const dto = metadata.type === 'param' ? undefined : metadata.metatype;
      const found = inputShapeErrors(value, dto);
      if (found.length > 0) throw invalid(found.slice(0, 20));
    }
    return this.validation.transform(value, metadata);
  }
}
