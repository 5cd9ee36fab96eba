import { getMetadataStorage } from 'class-validator';
import type { FieldError } from '../errors/keyhold.exception';
import { containsSecret } from '../secrets';
import { hasLoneSurrogate, UNSAFE_CHARACTER } from '../text';
import { isSecretField } from './carries-secret';

type Dto = new (...args: never[]) => unknown;

const PRIMITIVES = new Set<unknown>([String, Number, Boolean, Object, Array, Date]);
const knownFieldsCache = new WeakMap<Dto, Set<string>>();

const isDto = (value: unknown): value is Dto =>
  typeof value === 'function' && !PRIMITIVES.has(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * The fields a DTO declares, as a real set: class-validator's whitelist looks names up in a plain
 * object, so `toString`, `constructor` or `hasOwnProperty` pass it as if they were declared.
 */
function knownFields(dto: Dto): Set<string> {
  let fields = knownFieldsCache.get(dto);
  if (!fields) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    fields = new Set(metadata.map((entry) => entry.propertyName));
    knownFieldsCache.set(dto, fields);
  }
  return fields;
}

const declaredType = (dto: Dto, field: string): unknown =>
  Reflect.getMetadata('design:type', dto.prototype as object, field);

// Where @nestjs/swagger keeps @ApiProperty options: the documented contract says which fields
// take null, and the validator holds every other field to it (an @IsOptional field lets null
// through as if it were absent: a null password reached the hasher as a 500).
const API_PROPERTY = 'swagger/apiModelProperties';

const declaredNullable = (dto: Dto, field: string): boolean =>
  (Reflect.getMetadata(API_PROPERTY, dto.prototype as object, field) as { nullable?: boolean })
    ?.nullable === true;

/** The DTO class a nested field holds (its declared TypeScript type), if any. */
function nestedDto(dto: Dto, field: string): Dto | undefined {
  const type = declaredType(dto, field);
  return isDto(type) ? type : undefined;
}

const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Checks what a request carries against what the DTO declares, before any transformation:
 * unknown fields (whatever their name), objects where a nested DTO expects one, and in every text
 * value control characters, lone surrogates and token-shaped strings (outside secret fields).
 */
export function inputShapeErrors(
  value: unknown,
  declared: unknown,
  path = '',
  found: FieldError[] = [],
  secret = false,
): FieldError[] {
  const field = path || 'body';
  const dto = isDto(declared) ? declared : undefined;
  if (typeof value === 'string') {
    if (UNSAFE_CHARACTER.test(value)) {
      found.push({ field, message: `${field} must not contain control characters` });
    } else if (hasLoneSurrogate(value)) {
      found.push({ field, message: `${field} must be valid Unicode text (a lone surrogate)` });
    } else if (!secret && containsSecret(value)) {
      found.push({ field, message: `${field} must not contain an API token` });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => inputShapeErrors(item, dto, at(path, index), found, secret));
  } else if (isRecord(value)) {
    const fields = dto ? knownFields(dto) : undefined;
    for (const key of Object.keys(value)) {
      const child = at(path, key);
      if (fields && !fields.has(key)) {
        found.push({ field: child, message: `${child} is not a known field` });
        continue;
      }
      const item = value[key];
      if (item === null && dto && !declaredNullable(dto, key)) {
        found.push({ field: child, message: `${child} must not be null` });
        continue;
      }
      const nested = dto ? nestedDto(dto, key) : undefined;
      if (nested && Array.isArray(item)) {
        found.push({ field: child, message: `${child} must be an object` });
        continue;
      }
      const isSecret = secret || (dto ? isSecretField(dto, key) : false);
      inputShapeErrors(item, nested, child, found, isSecret);
    }
  }
  return found;
}
