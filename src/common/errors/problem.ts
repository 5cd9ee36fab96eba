import { HttpException, HttpStatus } from '@nestjs/common';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseUnavailable,
} from '../../database/database-errors';
import { CommonErrorCode, CommonException } from './common-errors';
import { FieldError, KeyholdException } from './keyhold.exception';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
}

const codeByStatus: Partial<Record<number, CommonErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: CommonErrorCode.ValidationFailed,
  [HttpStatus.NOT_FOUND]: CommonErrorCode.NotFound,
  [HttpStatus.METHOD_NOT_ALLOWED]: CommonErrorCode.MethodNotAllowed,
  [HttpStatus.PAYLOAD_TOO_LARGE]: CommonErrorCode.PayloadTooLarge,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: CommonErrorCode.UnsupportedMediaType,
  [HttpStatus.TOO_MANY_REQUESTS]: CommonErrorCode.RateLimited,
  [HttpStatus.SERVICE_UNAVAILABLE]: CommonErrorCode.ServiceUnavailable,
};

/** Turns any thrown value into a KeyholdException; null means it was unexpected (a 500). */
export function toKeyholdException(error: unknown): KeyholdException | null {
  if (error instanceof KeyholdException) return error;
  if (error instanceof HttpException) {
    const code = codeByStatus[error.getStatus()];
    if (!code) return null;
    const detail =
      code === CommonErrorCode.NotFound ? 'No such resource.' : error.message || 'Request refused.';
    return new CommonException(code, detail);
  }
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  return null;
}

/** The database is down, refusing or too slow: worth retrying, never a 500 or a 401. */
export const databaseUnavailable = () =>
  new CommonException(
    CommonErrorCode.ServiceUnavailable,
    'The database is not available at the moment; try again shortly.',
    { headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } },
  );

export function problemOf(exception: KeyholdException, requestId?: string): ProblemDocument {
  return {
    ...exception.extensions,
    type: `urn:keyhold:problem:${exception.code}`,
    title: exception.title,
    status: exception.status,
    detail: exception.detail,
    code: exception.code,
    ...(requestId ? { requestId } : {}),
    ...(exception.errors ? { errors: exception.errors } : {}),
  };
}

export const internalError = () =>
  new CommonException(CommonErrorCode.InternalError, 'Something went wrong on our side.');
