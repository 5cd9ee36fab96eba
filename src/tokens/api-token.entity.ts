import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

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
}
