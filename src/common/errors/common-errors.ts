import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from './keyhold.exception';

export enum CommonErrorCode {
  ValidationFailed = 'validation_failed',
  MalformedJson = 'malformed_json',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  RateLimited = 'rate_limited',
  InternalError = 'internal_error',
  ServiceUnavailable = 'service_unavailable',
  RouteWithoutAuthRule = 'route_without_auth_rule',
  MalformedRequest = 'malformed_request',
  RequestTimeout = 'request_timeout',
  HeadersTooLarge = 'headers_too_large',
}

const definitions = registerErrors<CommonErrorCode>({
  validation_failed: { status: HttpStatus.BAD_REQUEST, title: 'The request is not valid' },
  malformed_json: { status: HttpStatus.BAD_REQUEST, title: 'The body is not valid JSON' },
  payload_too_large: { status: HttpStatus.PAYLOAD_TOO_LARGE, title: 'The body is too large' },
  unsupported_media_type: {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    title: 'Unsupported content type',
  },
  not_found: { status: HttpStatus.NOT_FOUND, title: 'Not found' },
  method_not_allowed: { status: HttpStatus.METHOD_NOT_ALLOWED, title: 'Method not allowed' },
  rate_limited: { status: HttpStatus.TOO_MANY_REQUESTS, title: 'Too many requests' },
  internal_error: { status: HttpStatus.INTERNAL_SERVER_ERROR, title: 'Internal error' },
  service_unavailable: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Service unavailable' },
  malformed_request: { status: HttpStatus.BAD_REQUEST, title: 'The HTTP request is malformed' },
  request_timeout: { status: HttpStatus.REQUEST_TIMEOUT, title: 'The request took too long' },
  headers_too_large: {
    status: 431 as HttpStatus,
    title: 'The request headers are too large',
  },
  route_without_auth_rule: {
    status: HttpStatus.FORBIDDEN,
    title: 'This route declares no access rule and is refused',
  },
});

export const CommonException = exceptionFor('CommonException', definitions);
export type CommonException = InstanceType<typeof CommonException>;
