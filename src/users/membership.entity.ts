import { ArrayType, Entity, Enum, ManyToOne, OneToOne, Property } from '@mikro-orm/core';
import { AuthMethod } from '../common/access/auth-method';
import { User } from './user.entity';

/** A user's place in their (single) organization: flags, permissions and login bookkeeping. */
@Entity({ tableName: 'membership' })
export class Membership {
  @OneToOne(() => User, {
    primary: true,
    fieldName: 'user_id',
    eager: true,
    foreignKeyName: 'membership_user_id_fkey',
    deleteRule: 'cascade',
    updateRule: 'no action',
  })
  user!: User;

  // By name, not class: organizations import users (the layering forbids the way back).
  @ManyToOne('Organization', {
    mapToPk: true,
    fieldName: 'organization_id',
    index: true,
    foreignKeyName: 'membership_organization_id_fkey',
    deleteRule: 'cascade',
    updateRule: 'no action',
  })
  organizationId!: string;

  @Property({ type: 'boolean', default: false })
  isSuperuser: boolean = false;

  @Property({ type: ArrayType, columnType: 'text[]', defaultRaw: `'{}'` })
  permissions: string[] = [];

  @Property({ type: 'boolean', default: true })
  isActive: boolean = true;

  @Enum({ items: () => AuthMethod, nativeEnumName: 'auth_method', default: AuthMethod.Password })
  authMethod: AuthMethod = AuthMethod.Password;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastLoginAt: Date | null = null;

  @Property({ type: 'integer', default: 0 })
  failedLoginCount: number = 0;

  /** The identity provider's `sub`, pinned at the first SSO sign-in; cleared on a method switch. */
  @Property({ type: 'string', length: 255, nullable: true })
  ssoSubject: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
