import { ArrayType, Entity, Enum, OneToOne, Property } from '@mikro-orm/core';
import { AuthMethod } from '../common/access/auth-method';
import { User } from './user.entity';

// The vocabulary lives in the base layer (principals and sessions carry it); users re-export it.
export { AuthMethod };

/** A user's place in their (single) organization: flags, permissions and login bookkeeping. */
@Entity({ tableName: 'membership' })
export class Membership {
  @OneToOne(() => User, { primary: true, fieldName: 'user_id', eager: true, deleteRule: 'cascade' })
  user!: User;

  @Property({ type: 'uuid', index: true })
  organizationId!: string;

  @Property({ type: 'boolean' })
  isSuperuser: boolean = false;

  @Property({ type: ArrayType, columnType: 'text[]' })
  permissions: string[] = [];

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Enum({ items: () => AuthMethod, nativeEnumName: 'auth_method' })
  authMethod: AuthMethod = AuthMethod.Password;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastLoginAt: Date | null = null;

  @Property({ type: 'integer' })
  failedLoginCount: number = 0;

  /** The identity provider's `sub`, pinned at the first SSO sign-in; cleared on a method switch. */
  @Property({ type: 'string', length: 255, nullable: true })
  ssoSubject: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
