import { HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { scrubText } from '../secrets';
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

const FRAMEWORK_DETAIL: Partial<Record<CommonErrorCode, string>> = {
  [CommonErrorCode.ValidationFailed]: 'The request is not valid.',
  [CommonErrorCode.NotFound]: 'No such resource.',
  [CommonErrorCode.MethodNotAllowed]: 'This method is not allowed on this resource.',
  [CommonErrorCode.PayloadTooLarge]: 'The request body is larger than 64 KiB.',
  [CommonErrorCode.UnsupportedMediaType]:
    'This content type is not accepted here; send application/json.',
  [CommonErrorCode.RateLimited]: 'Too many requests; try again later.',
  [CommonErrorCode.ServiceUnavailable]: 'The service is unavailable; try again shortly.',
};

/** Turns any thrown value into a KeyholdException; null means it was unexpected (a 500). */
export function toKeyholdException(error: unknown): KeyholdException | null {
  if (error instanceof KeyholdException) return error;
  if (error instanceof HttpException) {
    const code = codeByStatus[error.getStatus()];
    if (!code) return null;
    // Framework messages may quote the request (a Content-Type, a path): only our own words.
    const detail = FRAMEWORK_DETAIL[code] ?? 'Request refused.';
    return new CommonException(code, detail);
  }
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  return null;
}

const MAX_FIELD_NAME = 100;

/**
 * Details and field errors may quote what the client sent (a key name, a value): whatever it was,
 * a token-shaped string in it is scrubbed before it is echoed.
 */
const echoable = (text: string, max = 1000): string => scrubText(text).slice(0, max);

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
    detail: echoable(exception.detail),
    code: exception.code,
    ...(requestId ? { requestId } : {}),
    ...(exception.errors
      ? {
          errors: exception.errors.map(({ field, message }) => ({
            field: echoable(field, MAX_FIELD_NAME),
            message: echoable(message),
          })),
        }
      : {}),
  };
}

/** problem+json on a Fastify reply: the exception filter and the HTTP-edge handlers share it. */
export function replyWithProblem(
  reply: FastifyReply,
  exception: KeyholdException,
  requestId: string,
): void {
  void reply
    .status(exception.status)
    .headers(exception.headers)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(problemOf(exception, requestId));
}

export const internalError = () =>
  new CommonException(CommonErrorCode.InternalError, 'Something went wrong on our side.');
