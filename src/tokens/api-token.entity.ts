import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { TokenAccess, TokenChannel } from '../common/access/token-kinds';
import { Organization } from '../organizations/organization.entity';
import { User } from '../users/user.entity';

const REVOKED_BY_KINDS = ['owner', 'superuser', 'leak_report'] as const;
export type RevokedByKind = (typeof REVOKED_BY_KINDS)[number];

/** One of the last client IPs a token was used from (ISO times, newest lastSeenAt first). */
export interface RecentIp {
  ip: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * A personal API token. The secret is never stored: only its SHA-256, erased on revocation.
 * The table is built by the migrations (Tokens, TokenLifecycle); this says the same, down to the
 * constraint and index names (test/schema-drift.e2e-spec.ts diffs the two).
 */
@Entity({ tableName: 'api_token' })
@Check({
  name: 'api_token_revoked_has_no_digest',
  expression: '"revoked_at" is null or "digest" is null',
})
@Check({ name: 'api_token_recent_ips_check', expression: `jsonb_typeof("recent_ips") = 'array'` })
@Index({
  name: 'api_token_user_active_index',
  expression: `create index "api_token_user_active_index" on "api_token" ("user_id", "created_at" desc) where "revoked_at" is null`,
})
@Index({
  name: 'api_token_organization_active_index',
  expression: `create index "api_token_organization_active_index" on "api_token" ("organization_id", "created_at" desc) where "revoked_at" is null`,
})
@Index({
  name: 'api_token_user_all_index',
  expression: `create index "api_token_user_all_index" on "api_token" ("user_id", "created_at" desc)`,
})
@Index({
  name: 'api_token_organization_all_index',
  expression: `create index "api_token_organization_all_index" on "api_token" ("organization_id", "created_at" desc)`,
})
// The expiry sweep only ever looks at live tokens that still have a notice to send.
@Index({
  name: 'api_token_expiry_notice_index',
  expression: `create index "api_token_expiry_notice_index" on "api_token" ("expires_at") where "revoked_at" is null and "rotated_to_id" is null and "expires_at" is not null and ("last_notice_days" is null or "last_notice_days" > 0)`,
})
export class ApiToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, {
    mapToPk: true,
    fieldName: 'user_id',
    foreignKeyName: 'api_token_user_id_fkey',
    deleteRule: 'cascade',
    updateRule: 'no action',
  })
  userId!: string;

  @ManyToOne(() => Organization, {
    mapToPk: true,
    fieldName: 'organization_id',
    foreignKeyName: 'api_token_organization_id_fkey',
    deleteRule: 'cascade',
    updateRule: 'no action',
  })
  organizationId!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  /** Null once revoked, so a revoked token can never match again. */
  @Property({
    type: 'string',
    length: 64,
    nullable: true,
    unique: 'api_token_digest_key',
    hidden: true,
  })
  digest: string | null = null;

  @Property({ type: 'string', length: 20 })
  preview!: string;

  @Enum({ items: () => TokenChannel, nativeEnumName: 'token_channel' })
  channel!: TokenChannel;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'string', length: 64 })
  createdIp!: string;

  @Property({ type: 'string', length: 512 })
  createdUserAgent!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
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

  @ManyToOne(() => User, {
    mapToPk: true,
    fieldName: 'revoked_by',
    nullable: true,
    foreignKeyName: 'api_token_revoked_by_fkey',
    deleteRule: 'set null',
    updateRule: 'no action',
  })
  revokedBy: string | null = null;

  @Enum({ items: [...REVOKED_BY_KINDS], columnType: 'text', nullable: true })
  revokedByKind: RevokedByKind | null = null;

  @Enum({ items: () => TokenAccess, columnType: 'text', default: TokenAccess.ReadWrite })
  access: TokenAccess = TokenAccess.ReadWrite;

  @ManyToOne(() => ApiToken, {
    mapToPk: true,
    fieldName: 'rotated_from_id',
    nullable: true,
    foreignKeyName: 'api_token_rotated_from_id_fkey',
    deleteRule: 'set null',
    updateRule: 'no action',
  })
  rotatedFromId: string | null = null;

  /** Set when rotated: the token stays usable until its (shortened) expiry, then is inactive. */
  @ManyToOne(() => ApiToken, {
    mapToPk: true,
    fieldName: 'rotated_to_id',
    nullable: true,
    foreignKeyName: 'api_token_rotated_to_id_fkey',
    deleteRule: 'set null',
    updateRule: 'no action',
  })
  rotatedToId: string | null = null;

  /** The last 5 distinct client IPs, newest first (written by LastUsedRecorder). */
  @Property({ type: 'json', columnType: 'jsonb', defaultRaw: `'[]'` })
  recentIps: RecentIp[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  newIpAlertedAt: Date | null = null;

  /** The expiry notice sent last, in days before expiry (0: the expiry notice); null: none. */
  @Property({ type: 'integer', nullable: true })
  lastNoticeDays: number | null = null;
}
