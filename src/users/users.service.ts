import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
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
}
