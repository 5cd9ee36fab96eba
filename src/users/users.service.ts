import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { SessionsService } from '../auth/sessions.service';
import { CommonErrorCode, CommonException } from '../common/errors/common-errors';
import { AuthMethod, Membership } from './membership.entity';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UsersErrorCode, UsersException } from './users.errors';

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

  async addMember(input: NewMember): Promise<Membership> {
    if (input.authMethod === AuthMethod.Password && !input.password) {
      throw new UsersException(
        UsersErrorCode.PasswordRequired,
        'Password accounts need an initial password.',
      );
    }
    if (input.authMethod === AuthMethod.Sso && input.password) {
      throw new UsersException(
        UsersErrorCode.PasswordNotAllowed,
        'SSO accounts sign in through the identity provider and take no password.',
      );
    }
    const email = this.normaliseEmail(input.email);
    if (await this.em.count(User, { email })) {
      throw new UsersException(UsersErrorCode.EmailTaken, `${email} already has an account.`);
    }
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
    await this.em.flush();
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
      member.failedLoginCount += 1;
    }
    await this.em.flush();
  }

  /**
   * Switches how a member signs in. To SSO: the local password hash is erased. To password: a new
   * password (at least MIN_PASSWORD_LENGTH characters) is required and set, also when the member
   * already used a password. Any real change ends all of the member's sessions, so nobody stays
   * signed in on the strength of the credential that no longer applies. Switching an SSO member
   * to SSO changes nothing.
   */
  async setAuthMethod(userId: string, method: AuthMethod, password?: string): Promise<Membership> {
    if (method === AuthMethod.Sso && password !== undefined) {
      throw new UsersException(
        UsersErrorCode.PasswordNotAllowed,
        'SSO accounts sign in through the identity provider and take no password.',
      );
    }
    if (method === AuthMethod.Password) {
      if (!password) {
        throw new UsersException(
          UsersErrorCode.PasswordRequired,
          'Switching to password sign-in needs a new password.',
        );
      }
      if (password.length < MIN_PASSWORD_LENGTH) {
        const message = `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
        throw new CommonException(CommonErrorCode.ValidationFailed, message, {
          errors: [{ field: 'password', message }],
        });
      }
    }
    const passwordHash = password ? await this.hasher.hash(password) : null;
    return this.em.transactional(async () => {
      const member = await this.em.findOne(Membership, { user: userId });
      if (!member) throw new UsersException(UsersErrorCode.UserNotFound, 'No such user.');
      if (method === AuthMethod.Sso && member.authMethod === AuthMethod.Sso) return member;
      member.authMethod = method;
      member.user.passwordHash = passwordHash;
      await this.em.flush();
      await this.sessions.endAllFor(userId);
      return member;
    });
  }
}
