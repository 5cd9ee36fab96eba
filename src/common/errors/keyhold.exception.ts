import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Base of every module's exception. A module declares its code enum and one table mapping each
 * code to an HTTP status and title; the global problem filter renders any of them as RFC 9457.
 */
export abstract class KeyholdException extends Error {
  abstract readonly status: HttpStatus;
  abstract readonly title: string;
  readonly headers: Record<string, string>;
  readonly code: string;
  errors?: FieldError[];
  /** Extra members of the problem document (RFC 9457 §3.2), e.g. readiness checks. */
  extensions?: Record<string, unknown>;

  protected constructor(code: string, detail: string) {
    // An expected refusal, never logged with a trace: skipping the stack capture keeps a flood
    // of bad tokens cheap.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.headers = {};
  }

  get detail(): string {
    return this.message;
  }
}

export interface ErrorDefinition {
  status: HttpStatus;
  title: string;
}

/** Builds a module exception class whose status and title come from the module's code table. */
export function exceptionFor<Code extends string>(
  name: string,
  definitions: Record<Code, ErrorDefinition>,
) {
  const Exception = class extends KeyholdException {
    readonly status: HttpStatus;
    readonly title: string;
    constructor(
      override readonly code: Code,
      detail: string,
      extras: {
        headers?: Record<string, string>;
        errors?: FieldError[];
        extensions?: Record<string, unknown>;
      } = {},
    ) {
      super(code, detail);
      this.status = definitions[code].status;
      this.title = definitions[code].title;
      Object.assign(this.headers, extras.headers);
      this.errors = extras.errors;
      this.extensions = extras.extensions;
    }
  };
  Object.defineProperty(Exception, 'name', { value: name });
  return Exception;
}

/** All codes and their definitions, for the OpenAPI document. */
export const errorCatalogue = new Map<string, ErrorDefinition>();

export function registerErrors<Code extends string>(definitions: Record<Code, ErrorDefinition>) {
  for (const [code, definition] of Object.entries<ErrorDefinition>(definitions)) {
    errorCatalogue.set(code, definition);
  }
  return definitions;
}
