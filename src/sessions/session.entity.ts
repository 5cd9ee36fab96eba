import { randomUUID } from 'node:crypto';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { AuthMethod } from '../common/access/auth-method';

/** A signed-in browser session; the cookie value itself is never stored, only its SHA-256. */
@Entity({ tableName: 'session' })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: 'session_secret_hash_key' })
  secretHash!: string;

  @Property({ type: 'string', length: 64 })
  csrfHash!: string;

  // By name, not class: users import sessions (the layering forbids the way back).
  @ManyToOne('User', {
    mapToPk: true,
    fieldName: 'user_id',
    index: true,
    foreignKeyName: 'session_user_id_fkey',
    deleteRule: 'cascade',
    updateRule: 'no action',
  })
  userId!: string;

  @Enum({ items: () => AuthMethod, nativeEnumName: 'auth_method' })
  method!: AuthMethod;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  lastSeenAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  absoluteExpiresAt!: Date;

  /** When the password was last entered (login or re-authentication); null for SSO sessions. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  passwordVerifiedAt: Date | null = null;

  @Property({ type: 'string', length: 64 })
  ip!: string;

  @Property({ type: 'string', length: 512 })
  userAgent!: string;
}
