import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AuditAction } from '../audit/audit-action';
import { actorOf, AuditService } from '../audit/audit.service';
import { assertOwnOrganization } from '../common/access/organization-scope';
import type { Principal } from '../common/access/principal';
import { decodeCursor, Page, toPage } from '../common/http/pagination';
import type { RequestMeta } from '../common/http/request-meta';
import { TokenAccessChanges } from '../tokens/token-access-changes.service';
import { TokensService } from '../tokens/tokens.service';
import { Membership } from '../users/membership.entity';
import { UsersErrorCode, UsersException } from '../users/users.errors';
import { UsersService } from '../users/users.service';
import { AddMemberDto, MembersQuery, MemberView, UpdateMemberDto } from './members.dto';
import { Permission } from '../common/access/permission';
import { PermissionsErrorCode, PermissionsException } from './permissions.errors';

interface Change {
  action: AuditAction;
  metadata: Record<string, unknown>;
}

function memberView(member: Membership, activeTokenCount: number): MemberView {
  return {
    id: member.user.id,
    email: member.user.email,
    name: member.user.name,
    isActive: member.isActive,
    isSuperuser: member.isSuperuser,
    permissions: member.permissions,
    authMethod: member.authMethod,
    lastLoginAt: member.lastLoginAt?.toISOString() ?? null,
    failedLoginCount: member.failedLoginCount,
    activeTokenCount,
  };
}

/** The Team: superusers list members, add them, and grant or withdraw what they may do. */
@Injectable()
export class TeamService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly access: TokenAccessChanges,
  ) {}

  async list(
    principal: Principal,
    organizationId: string,
    query: MembersQuery,
  ): Promise<Page<MemberView>> {
    assertOwnOrganization(principal, organizationId);
    const afterEmail = query.cursor ? String(decodeCursor(query.cursor, 1)[0]) : undefined;
    const members = await this.users.listMembers(organizationId, {
      limit: query.limit,
      afterEmail,
    });
    const counts = await this.tokens.countActiveByUser(members.map((m) => m.user.id));
    return toPage(
      members,
      query.limit,
      (member) => memberView(member, counts.get(member.user.id) ?? 0),
      (member) => [member.user.email],
    );
  }

  async add(
    principal: Principal,
    organizationId: string,
    body: AddMemberDto,
    meta: RequestMeta,
  ): Promise<MemberView> {
    assertOwnOrganization(principal, organizationId);
    return this.em.transactional(async () => {
      const member = await this.users.addMember({ organizationId, ...body });
      await this.audit.record({
        organizationId,
        action: AuditAction.MemberAdded,
        actor: actorOf(principal),
        targetUserId: member.user.id,
        meta,
        metadata: { email: member.user.email, authMethod: member.authMethod },
      });
      return memberView(member, 0);
    });
  }

  /**
   * Applies a PATCH and audits each change, in one transaction under the organization's
   * membership lock, so two superusers demoting each other cannot leave none behind.
   */
  async update(
    principal: Principal,
    organizationId: string,
    userId: string,
    patch: UpdateMemberDto,
    meta: RequestMeta,
  ): Promise<MemberView> {
    assertOwnOrganization(principal, organizationId);
    const updated = await this.access.within(async (_em, changed) => {
      await this.users.lockOrganizationMembers(organizationId);
      const member = await this.findMember(organizationId, userId);
      await this.keepASuperuser(member, patch);
      const changes = [
        ...this.changePermission(member, patch),
        ...(await this.changeStatus(member, patch)),
      ];
      await this.users.save();
      changes.push(...(await this.changeAuthMethod(member, patch)));
      if (changes.length > 0) await changed({ kind: 'user', id: userId });
      for (const { action, metadata } of changes) {
        await this.audit.record({
          organizationId,
          action,
          actor: actorOf(principal),
          targetUserId: userId,
          meta,
          metadata,
        });
      }
      return member;
    });
    const counts = await this.tokens.countActiveByUser([userId]);
    return memberView(updated, counts.get(userId) ?? 0);
  }

  private async keepASuperuser(member: Membership, patch: UpdateMemberDto): Promise<void> {
    const losesSuperuser =
      member.isSuperuser &&
      member.isActive &&
      (patch.isSuperuser === false || patch.isActive === false);
    if (losesSuperuser && (await this.users.countActiveSuperusers(member.organizationId)) <= 1) {
      throw new PermissionsException(
        PermissionsErrorCode.LastSuperuser,
        'This is the last active superuser; make someone else a superuser first.',
      );
    }
  }

  private changePermission(member: Membership, patch: UpdateMemberDto): Change[] {
    const grant = patch.permissions?.[Permission.ManageApiTokens];
    if (grant === undefined || grant === member.permissions.includes(Permission.ManageApiTokens))
      return [];
    this.users.setPermission(member, Permission.ManageApiTokens, grant);
    const action = grant ? AuditAction.PermissionGranted : AuditAction.PermissionWithdrawn;
    return [{ action, metadata: { permission: Permission.ManageApiTokens } }];
  }

  private async changeStatus(member: Membership, patch: UpdateMemberDto): Promise<Change[]> {
    const changes: Change[] = [];
    if (patch.isSuperuser !== undefined && patch.isSuperuser !== member.isSuperuser) {
      this.users.setSuperuser(member, patch.isSuperuser);
      changes.push({
        action: patch.isSuperuser ? AuditAction.SuperuserGranted : AuditAction.SuperuserWithdrawn,
        metadata: {},
      });
    }
    if (patch.isActive !== undefined && patch.isActive !== member.isActive) {
      await this.users.setActive(member, patch.isActive);
      changes.push({
        action: patch.isActive ? AuditAction.MemberActivated : AuditAction.MemberDeactivated,
        metadata: {},
      });
    }
    return changes;
  }

  private async changeAuthMethod(member: Membership, patch: UpdateMemberDto): Promise<Change[]> {
    if (patch.authMethod === undefined) {
      if (patch.password === undefined) return [];
      throw new PermissionsException(
        PermissionsErrorCode.PasswordWithoutSwitch,
        'A password is set only when switching a member to password sign-in.',
      );
    }
    if (patch.authMethod === member.authMethod && patch.password === undefined) return [];
    await this.users.setAuthMethod(member.user.id, patch.authMethod, patch.password);
    return [{ action: AuditAction.AuthMethodChanged, metadata: { authMethod: patch.authMethod } }];
  }

  private async findMember(organizationId: string, userId: string): Promise<Membership> {
    const member = isUUID(userId) ? await this.users.findMember(organizationId, userId) : null;
    if (!member) throw new UsersException(UsersErrorCode.MemberNotFound, 'No such member.');
    return member;
  }
}
