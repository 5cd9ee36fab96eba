import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

export enum TokenAccess {
  ReadOnly = 'read_only',
  ReadWrite = 'read_write',
}

export type RevokedByKind = 'owner' | 'superuser' | 'leak_report';

/** One of the last client IPs a token was used from (ISO times, newest lastSeenAt first). */
export interface RecentIp {
  ip: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export enum TokenChannel {
  Profile = 'profile',
  ApiTokenAuth = 'api_token_auth',
}

/** A personal API token. The secret is never stored: only its SHA-256, erased on revocation. */
@Entity({ tableName: 'api_token' })
export class ApiToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid', index: true })
  userId!: string;

  @Property({ type: 'uuid' })
  organizationId!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  /** Null once revoked, so a revoked token can never match again. */
  @Property({ type: 'string', length: 64, nullable: true, unique: true, hidden: true })
  digest: string | null = null;

  @Property({ type: 'string', length: 20 })
  preview!: string;

  @Enum({ items: () => TokenChannel, nativeEnumName: 'token_channel' })
  channel!: TokenChannel;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'string', length: 64 })
  createdIp!: string;

  @Property({ type: 'string', length: 512 })
  createdUserAgent!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'string', length: 16, nullable: true })
  lastUsedMethod: string | null = null;

  @Property({ type: 'string', length: 2048, nullable: true })
  lastUsedPath: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  lastUsedIp: string | null = null;

  @Property({ type: 'string', length: 512, nullable: true })
  lastUsedUserAgent: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  revokedBy: string | null = null;

  @Property({ type: 'string', nullable: true })
  revokedByKind: RevokedByKind | null = null;

  @Enum({ items: () => TokenAccess, columnType: 'text' })
  access: TokenAccess = TokenAccess.ReadWrite;

  @Property({ type: 'uuid', nullable: true })
  rotatedFromId: string | null = null;

  /** Set when rotated: the token stays usable until its (shortened) expiry, then is inactive. */
  @Property({ type: 'uuid', nullable: true })
  rotatedToId: string | null = null;

  /** The last 5 distinct client IPs, newest first (written by LastUsedRecorder). */
  @Property({ type: 'json', columnType: 'jsonb' })
  recentIps: RecentIp[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  newIpAlertedAt: Date | null = null;

  /** The expiry notice sent last, in days before expiry (0: the expiry notice); null: none. */
  @Property({ type: 'integer', nullable: true })
  lastNoticeDays: number | null = null;
}
