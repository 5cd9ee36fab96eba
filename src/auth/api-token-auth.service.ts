import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import type { RequestMeta } from '../common/http/request-meta';
import { Permission } from '../permissions/permission';
import { TokenChannel } from '../tokens/api-token.entity';
import { ProfileTokensService } from '../tokens/profile-tokens.service';
import { ApiTokenAuthDto, CreatedTokenView } from '../tokens/tokens.dto';
import { Membership } from '../users/membership.entity';
import { UsersService } from '../users/users.service';
import { AuthErrorCode, AuthException } from './auth.errors';
import { AuthService } from './auth.service';

/** `POST /api-token-auth/`: a username (email) and password traded for a new token. */
@Injectable()
export class ApiTokenAuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
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
      if (check.member) await this.recordDenial(check.member, check.reason, meta);
      throw check.error;
    }
    const { member } = check;
    if (!member.permissions.includes(Permission.ManageApiTokens)) {
      await this.recordDenial(member, 'permission_denied', meta);
      throw new AuthException(
        AuthErrorCode.PermissionDenied,
        'You may not create API tokens; ask an organization superuser for "Can create and manage personal API tokens".',
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

  /** Committed before the error answers; an unknown username belongs to no organization's log. */
  private recordDenial(member: Membership, reason: string, meta: RequestMeta): Promise<void> {
    return this.em.transactional(async () => {
      if (reason === 'bad_password') await this.users.recordLogin(member, false);
      await this.audit.record({
        organizationId: member.organizationId,
        action: AuditAction.ApiTokenAuthDenied,
        actor: SYSTEM_ACTOR,
        targetUserId: member.user.id,
        meta,
        metadata: { reason },
      });
    });
  }
}
