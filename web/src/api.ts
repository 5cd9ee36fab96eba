import type { Problem } from './types.js';

/**
 * The console talks to Keyhold only through its public JSON API, like a curl user: the session
 * cookie travels by itself, and unsafe methods echo the readable `csrf_token` cookie in
 * X-CSRF-Token (the double-submit check of SPEC §5).
 */

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** One line for a person: the detail, then any field errors. */
  describe(): string {
    const fields = (this.problem.errors ?? []).map((error) => error.message).join('; ');
    return [this.message, fields].filter(Boolean).join(' ');
  }
}

/** What to tell a person about a failed call: the problem's own words, else the error itself. */
export function errorText(error: unknown): string {
  return error instanceof ApiError ? error.describe() : String(error);
}

/** Asks for the password in place and calls POST /auth/reauthenticate; false: cancelled. */
export type Reauthenticator = () => Promise<boolean>;

let reauthenticate: Reauthenticator = () => Promise.resolve(false);
let signedOut: () => void = () => undefined;

export function onReauthenticationRequired(handler: Reauthenticator): void {
  reauthenticate = handler;
}

/** Called when the session is gone (401 on a console call): back to the sign-in page. */
export function onSignedOut(handler: () => void): void {
  signedOut = handler;
}

export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'csrf_token') return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function hasSessionCookie(): boolean {
  return csrfToken() !== undefined;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken();
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const parsed = (await response.json()) as Partial<Problem>;
    return { ...parsed, status: response.status };
  } catch {
    return { status: response.status, detail: `The server answered ${response.status}.` };
  }
}

export interface CallOptions {
  /** Do not treat 401 as "signed out" (the sign-in form itself). */
  anonymous?: boolean;
}

/** One API call; re-authenticates in place and retries once on 403 reauthentication_required. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<T> {
  let response = await send(method, path, body);
  if (response.status === 403) {
    const problem = await problemOf(response);
    if (problem.code !== 'reauthentication_required') throw new ApiError(problem);
    if (!(await reauthenticate())) throw new ApiError(problem);
    response = await send(method, path, body);
  }
  if (response.status === 401 && !options.anonymous) {
    const problem = await problemOf(response);
    signedOut();
    throw new ApiError(problem);
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string from the filters that are set. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The server does not know this endpoint or parameter yet (an older Keyhold). */
export function isUnsupported(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.code === 'not_found' ||
      (error.status === 400 && /state|access|should not exist/i.test(error.describe())))
  );
}
