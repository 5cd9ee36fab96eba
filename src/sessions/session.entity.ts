import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { AuthMethod } from '../common/access/auth-method';

/** A signed-in browser session; the cookie value itself is never stored, only its SHA-256. */
@Entity({ tableName: 'session' })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: true })
  secretHash!: string;

  @Property({ type: 'string', length: 64 })
  csrfHash!: string;

  @Property({ type: 'uuid', index: true })
  userId!: string;

  @Enum({ items: () => AuthMethod, nativeEnumName: 'auth_method' })
  method!: AuthMethod;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
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
