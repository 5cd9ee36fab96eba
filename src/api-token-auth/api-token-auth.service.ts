import { Injectable } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action';
import type { RequestMeta } from '../common/http/request-meta';
import { Permission, PERMISSION_LABELS } from '../common/access/permission';
import { ProfileTokensService } from '../tokens/profile-tokens.service';
import { ApiTokenAuthDto, ObtainedTokenView } from '../tokens/tokens.dto';
import { AuthErrorCode, AuthException } from '../common/access/auth.errors';
import { AuthService } from '../auth/auth.service';

export const DEFAULT_API_TOKEN_AUTH_NAME = 'api-token-auth';

/**
 * `POST /api-token-auth/`: a username (email) and password traded for a token. Calling it again
 * with the same name rotates that token (the old one keeps working for the default overlap).
 */
@Injectable()
export class ApiTokenAuthService {
  constructor(
    private readonly auth: AuthService,
    private readonly profileTokens: ProfileTokensService,
  ) {}

  async obtainToken(body: ApiTokenAuthDto, meta: RequestMeta): Promise<ObtainedTokenView> {
    const check = await this.auth.checkCredentials(
      body.username,
      body.password,
      meta,
      AuthErrorCode.SsoUser,
    );
    if (!check.ok) {
      await this.auth.recordCredentialFailure(
        AuditAction.ApiTokenAuthDenied,
        check.member,
        check.reason,
        meta,
      );
      throw check.error;
    }
    const { member } = check;
    if (!member.permissions.includes(Permission.ManageApiTokens)) {
      await this.auth.recordCredentialFailure(
        AuditAction.ApiTokenAuthDenied,
        member,
        'permission_denied',
        meta,
      );
      throw new AuthException(
        AuthErrorCode.PermissionDenied,
        `You may not create API tokens; ask an organization superuser for "${PERMISSION_LABELS[Permission.ManageApiTokens]}".`,
      );
    }
    return this.profileTokens.obtain(
      { userId: member.user.id, organizationId: member.organizationId },
      { name: body.name ?? DEFAULT_API_TOKEN_AUTH_NAME, expiresInDays: body.expiresInDays },
      meta,
    );
  }
}
