import { CommonErrorCode, CommonException } from '../common/errors/common-errors';
import type { FieldError } from '../common/errors/keyhold.exception';
import { hasUnsafeCharacter } from '../common/text';

export interface SsoSettings {
  /** The provider's issuer identifier, exactly as its discovery document states it. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Lower-case domains whose addresses may sign in; empty or absent: any domain. */
  allowedEmailDomains?: string[];
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
export const MAX_ALLOWED_DOMAINS = 50;

function issuerProblem(issuer: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'issuer must be an absolute URL';
  }
  if (issuer.length > 2048) return 'issuer must be at most 2048 characters';
  if (url.search || url.hash || url.username || url.password) {
    return 'issuer must have no query, fragment or credentials';
  }
  if (url.protocol === 'https:') return null;
  // Plain http only where nobody can tamper with it: a local provider, or outside production.
  if (url.protocol === 'http:' && (!production || LOOPBACK.has(url.hostname))) return null;
  return 'issuer must be an https URL';
}

function textProblem(name: string, value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value.trim() === '') return `${name} is required`;
  if (value.length > max) return `${name} must be at most ${max} characters`;
  if (hasUnsafeCharacter(value)) return `${name} must not contain control characters`;
  return null;
}

/**
 * Checks and normalises settings from any caller (the HTTP body is validated by its DTO first;
 * the CLI has only this). Domains are lower-cased and deduplicated.
 */
export function normaliseSettings(input: SsoSettings, production: boolean): Required<SsoSettings> {
  const problems: FieldError[] = [];
  const check = (field: string, message: string | null) => {
    if (message) problems.push({ field, message });
  };
  check('issuer', textProblem('issuer', input.issuer, 2048));
  if (problems.length === 0) check('issuer', issuerProblem(input.issuer.trim(), production));
  check('clientId', textProblem('clientId', input.clientId, 255));
  check('clientSecret', textProblem('clientSecret', input.clientSecret, 1024));
  const domains = [
    ...new Set((input.allowedEmailDomains ?? []).map((domain) => domain.trim().toLowerCase())),
  ];
  if (domains.length > MAX_ALLOWED_DOMAINS) {
    check('allowedEmailDomains', `at most ${MAX_ALLOWED_DOMAINS} domains`);
  }
  domains.forEach((domain, index) => {
    if (!DOMAIN.test(domain)) {
      check(`allowedEmailDomains[${index}]`, `"${domain}" is not a domain name`);
    }
  });
  if (problems.length > 0) {
    throw new CommonException(
      CommonErrorCode.ValidationFailed,
      problems.map((problem) => problem.message).join('; '),
      { errors: problems },
    );
  }
  return {
    issuer: input.issuer.trim(),
    clientId: input.clientId.trim(),
    clientSecret: input.clientSecret,
    allowedEmailDomains: domains,
  };
}
