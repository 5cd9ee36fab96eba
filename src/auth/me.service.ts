import { then } from '../common/maybe-promise';
import { Injectable } from '@nestjs/common';
import { OrganizationSummary, OrganizationsService } from '../organizations/organizations.service';
import type { MeResponse } from './auth.dto';
import type { Principal, TokenPrincipal } from '../common/access/principal';

const isTokenPrincipal = (principal: Principal): principal is TokenPrincipal =>
  principal.via === 'token' && 'tokenAccess' in principal;

/** The GET /me answer: who the principal is, in which organization, and how they authenticated. */
function meResponse(principal: Principal, organization: OrganizationSummary): MeResponse {
  // Frozen throughout: the answer is reused, and its serialised text with it.
  return Object.freeze({
    user: Object.freeze({
      id: principal.userId,
      email: principal.email,
      name: principal.name,
      authMethod: principal.authMethod,
    }),
    organization,
    isSuperuser: principal.isSuperuser,
    permissions: Object.freeze([...principal.permissions]) as string[],
    auth: Object.freeze(
      isTokenPrincipal(principal)
        ? {
            kind: 'token' as const,
            tokenId: principal.tokenId,
            tokenName: principal.tokenName,
            expiresAt: principal.tokenExpiresAt,
            access: principal.tokenAccess,
          }
        : { kind: 'session' as const },
    ),
  });
}

/**
 * GET /me: synchronous once the organization summary is cached (the token hot path). Principals of
 * cached tokens and organization summaries are immutable and replaced on any change, so the
 * answer built for a pair is reused for as long as both are.
 */
@Injectable()
export class MeService {
  private readonly answers = new WeakMap<
    Principal,
    { organization: OrganizationSummary; response: MeResponse }
  >();

  constructor(private readonly organizations: OrganizationsService) {}

  describe(principal: Principal): MeResponse | Promise<MeResponse> {
    const organization = this.organizations.getSummary(principal.organizationId);
    return then(organization, (summary) => this.answer(principal, summary));
  }

  private answer(principal: Principal, organization: OrganizationSummary): MeResponse {
    const known = this.answers.get(principal);
    if (known?.organization === organization) return known.response;
    const response = meResponse(principal, organization);
    if (Object.isFrozen(principal)) this.answers.set(principal, { organization, response });
    return response;
  }
}
