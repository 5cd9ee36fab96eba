import { Injectable } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action';
import type { RequestMeta } from '../common/http/request-meta';
import { Permission, PERMISSION_LABELS } from '../permissions/permission';
import { TokenChannel } from '../tokens/api-token.entity';
import { ProfileTokensService } from '../tokens/profile-tokens.service';
import { ApiTokenAuthDto, CreatedTokenView } from '../tokens/tokens.dto';
import { AuthErrorCode, AuthException } from './auth.errors';
import { AuthService } from './auth.service';

/** `POST /api-token-auth/`: a username (email) and password traded for a new token. */
@Injectable()
export class ApiTokenAuthService {
  constructor(
    private readonly auth: AuthService,
    private readonly profileTokens: ProfileTokensService,
  ) {}

  async obtainToken(body: ApiTokenAuthDto, meta: RequestMeta): Promise<CreatedTokenView> {
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
    return this.profileTokens.create(
      { userId: member.user.id, organizationId: member.organizationId },
      {
        name: body.name ?? `api-token-auth ${new Date().toISOString()}`,
        expiresInDays: body.expiresInDays,
      },
      meta,
      TokenChannel.ApiTokenAuth,
    );
  }
}
