import { EntityManager, raw, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { isPlainEmail } from '../common/email';
import { Injectable } from '@nestjs/common';
import { lockForTransaction } from '../database/advisory-lock';
import { SessionsService } from '../sessions/sessions.service';
import { CommonErrorCode, CommonException } from '../common/errors/common-errors';
import { Membership } from './membership.entity';
import { AuthMethod } from '../common/access/auth-method';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UsersErrorCode, UsersException } from './users.errors';
import { containsPattern } from '../common/text';

export interface NewMember {
  organizationId: string;
  email: string;
  name?: string;
  authMethod: AuthMethod;
  password?: string;
  isSuperuser?: boolean;
  permissions?: string[];
}

export const MIN_PASSWORD_LENGTH = 12;

const passwordNotAllowed = () =>
  new UsersException(
    UsersErrorCode.PasswordNotAllowed,
    'SSO accounts sign in through the identity provider and take no password.',
  );

/**
 * The one password-length rule, for every way a password is set (Team API, CLI, bootstrap,
 * change and reset): 400 validation_failed naming the field.
 */
function assertPasswordLength(password: string, field: string): void {
  if (password.length >= MIN_PASSWORD_LENGTH) return;
  const message = `${field} must be at least ${MIN_PASSWORD_LENGTH} characters`;
  throw new CommonException(CommonErrorCode.ValidationFailed, message, {
    errors: [{ field, message }],
  });
}

/** A new member's address and password, before anything is looked up. */
function assertAcceptableMember(input: NewMember, email: string): void {
  if (!isPlainEmail(email)) {
    throw new UsersException(
      UsersErrorCode.InvalidEmail,
      'Give one plain email address, like name@example.com.',
    );
  }
  if (input.password !== undefined) assertPasswordLength(input.password, 'password');
  if (input.authMethod === AuthMethod.Password && !input.password) {
    throw new UsersException(
      UsersErrorCode.PasswordRequired,
      'Password accounts need an initial password.',
    );
  }
  if (input.authMethod === AuthMethod.Sso && input.password) throw passwordNotAllowed();
}

/** Users and their membership in an organization. */
@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
  ) {}

  normaliseEmail(email: string): string {
    return email.trim().toLowerCase();
  }

  /** Every caller (Team API, CLI, bootstrap) goes through the same address and password rules. */
  async addMember(input: NewMember): Promise<Membership> {
    const email = this.normaliseEmail(input.email);
    assertAcceptableMember(input, email);
    const taken = () =>
      new UsersException(UsersErrorCode.EmailTaken, `${email} already has an account.`);
    if (await this.em.count(User, { email })) throw taken();
    const user = this.em.create(User, {
      email,
      name: input.name?.trim() || email.split('@')[0],
      passwordHash: input.password ? await this.hasher.hash(input.password) : null,
      createdAt: new Date(),
    });
    const membership = this.em.create(Membership, {
      user,
      organizationId: input.organizationId,
      isSuperuser: input.isSuperuser ?? false,
      permissions: [...new Set(input.permissions ?? [])],
      authMethod: input.authMethod,
      isActive: true,
      failedLoginCount: 0,
      createdAt: new Date(),
    });
    try {
      await this.em.flush();
    } catch (error) {
      // Two concurrent adds of one address: the unique index decides, the loser gets a 409.
      if (error instanceof UniqueConstraintViolationException) throw taken();
      throw error;
    }
    return membership;
  }

  findByEmail(email: string): Promise<Membership | null> {
    return this.em.findOne(Membership, { user: { email: this.normaliseEmail(email) } });
  }

  findById(userId: string): Promise<Membership | null> {
    return this.em.findOne(Membership, { user: userId });
  }

  async verifyPassword(member: Membership | null, password: string): Promise<boolean> {
    const hash = member?.user.passwordHash;
    if (!hash) return this.hasher.verifyAgainstDummy(password);
    return this.hasher.verify(password, hash);
  }

  async recordLogin(member: Membership, succeeded: boolean): Promise<void> {
    if (succeeded) {
      member.lastLoginAt = new Date();
      member.failedLoginCount = 0;
    } else {
      // Not mirrored on the loaded entity: a flush would write back a stale count over
      // concurrent increments.
      await this.countFailedLogin(member.user.id);
      return;
    }
    await this.em.flush();
  }

  /** Atomic, so concurrent failures are all counted. */
  async countFailedLogin(userId: string): Promise<void> {
    await this.em.nativeUpdate(
      Membership,
      { user: userId },
      { failedLoginCount: raw('failed_login_count + 1') },
    );
  }

  /**
   * Pins the identity provider's `sub` at the first SSO sign-in (atomically: two first sign-ins
   * racing with different subjects pin one); false when another subject is already pinned.
   */
  async pinSsoSubject(member: Membership, subject: string): Promise<boolean> {
    if (member.ssoSubject !== null) return member.ssoSubject === subject;
    await this.em.nativeUpdate(
      Membership,
      { user: member.user.id, ssoSubject: null },
      { ssoSubject: subject },
    );
    await this.em.refresh(member);
    return member.ssoSubject === subject;
  }

  findMember(organizationId: string, userId: string): Promise<Membership | null> {
    return this.em.findOne(Membership, { organizationId, user: userId });
  }

  findMembers(userIds: string[]): Promise<Membership[]> {
    return userIds.length === 0
      ? Promise.resolve([])
      : this.em.find(Membership, { user: { $in: userIds } });
  }

  /** The organization's members by email, from the one after `afterEmail`. */
  listMembers(
    organizationId: string,
    page: { limit: number; afterEmail?: string },
  ): Promise<Membership[]> {
    return this.em.find(
      Membership,
      { organizationId, ...(page.afterEmail ? { user: { email: { $gt: page.afterEmail } } } : {}) },
      { orderBy: { user: { email: 'asc' } }, limit: page.limit + 1 },
    );
  }

  /** Ids of members whose email or name contains `text` (case-insensitive). */
  async searchMemberIds(organizationId: string, text: string): Promise<string[]> {
    const pattern = containsPattern(text);
    const members = await this.em.find(
      Membership,
      {
        organizationId,
        user: { $or: [{ email: { $ilike: pattern } }, { name: { $ilike: pattern } }] },
      },
      { fields: ['user'] },
    );
    return members.map((member) => member.user.id);
  }

  /**
   * Takes the organization's membership lock for this transaction: changes that must see a
   * stable set of superusers (the last-superuser rule) queue behind each other.
   */
  async lockOrganizationMembers(organizationId: string): Promise<void> {
    await lockForTransaction(this.em, `membership:${organizationId}`);
  }

  countActiveSuperusers(organizationId: string): Promise<number> {
    return this.em.count(Membership, { organizationId, isSuperuser: true, isActive: true });
  }

  async save(): Promise<void> {
    await this.em.flush();
  }

  /** Grants or withdraws one permission; saved by the caller's `save()`. */
  setPermission(member: Membership, permission: string, granted: boolean): void {
    if (granted === member.permissions.includes(permission)) return;
    member.permissions = granted
      ? [...member.permissions, permission]
      : member.permissions.filter((p) => p !== permission);
  }

  /** Makes the member a superuser or not; saved by the caller's `save()`. */
  setSuperuser(member: Membership, isSuperuser: boolean): void {
    member.isSuperuser = isSuperuser;
  }

  /** Activates or deactivates the member; deactivating ends all of their sessions at once. */
  async setActive(member: Membership, isActive: boolean): Promise<void> {
    member.isActive = isActive;
    if (!isActive) await this.sessions.endAllFor(member.user.id);
  }

  /**
   * Sets a password member's password (a change by themselves, or an operator's reset) and ends
   * their sessions, all but `keepSessionId` (the one the change was made in).
   */
  /** Checks and hashes a new password; before the transaction, which need not wait for scrypt. */
  newPasswordHash(password: string): Promise<string> {
    assertPasswordLength(password, 'newPassword');
    return this.hasher.hash(password);
  }

  /** Sets a hash from newPasswordHash and ends the user's other sessions. */
  async setPassword(
    userId: string,
    passwordHash: string,
    keepSessionId?: string,
  ): Promise<Membership> {
    const member = await this.em.findOne(Membership, { user: userId });
    if (!member) throw new UsersException(UsersErrorCode.UserNotFound, 'No such user.');
    if (member.authMethod !== AuthMethod.Password) throw passwordNotAllowed();
    member.user.passwordHash = passwordHash;
    await this.em.flush();
    await this.sessions.endAllFor(userId, keepSessionId);
    return member;
  }

  /**
   * Switches how a member signs in. To SSO: the local password hash is erased. To password: a new
   * password (at least MIN_PASSWORD_LENGTH characters) is required and set, also when the member
   * already used a password. Any real change ends all of the member's sessions, so nobody stays
   * signed in on the strength of the credential that no longer applies. Switching an SSO member
   * to SSO changes nothing.
   */
  async setAuthMethod(userId: string, method: AuthMethod, password?: string): Promise<Membership> {
    if (method === AuthMethod.Sso && password !== undefined) throw passwordNotAllowed();
    if (method === AuthMethod.Password) {
      if (!password) {
        throw new UsersException(
          UsersErrorCode.PasswordRequired,
          'Switching to password sign-in needs a new password.',
        );
      }
      assertPasswordLength(password, 'password');
    }
    const passwordHash = password ? await this.hasher.hash(password) : null;
    return this.em.transactional(async () => {
      const member = await this.em.findOne(Membership, { user: userId });
      if (!member) throw new UsersException(UsersErrorCode.UserNotFound, 'No such user.');
      if (method === AuthMethod.Sso && member.authMethod === AuthMethod.Sso) return member;
      member.authMethod = method;
      member.ssoSubject = null;
      member.user.passwordHash = passwordHash;
      await this.em.flush();
      await this.sessions.endAllFor(userId);
      return member;
    });
  }
}
