import {
  Check,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { allOf } from '../database/enum-items';
import { AuditAction, type ActorVia } from './audit-action';

/**
 * One row of the append-only audit log; the database refuses UPDATE, DELETE and TRUNCATE
 * (triggers of Migration20261123000200Audit, which entities cannot declare).
 */
@Entity({ tableName: 'audit_event' })
@Check({ name: 'audit_event_metadata_check', expression: `jsonb_typeof("metadata") = 'object'` })
@Check({
  name: 'audit_event_token_actor_check',
  expression: `"actor_via" <> 'token' or "actor_token_id" is not null`,
})
@Index({
  name: 'audit_event_org_time_index',
  expression: `create index "audit_event_org_time_index" on "audit_event" ("organization_id", "occurred_at" desc, "id" desc)`,
})
@Index({
  name: 'audit_event_actor_index',
  expression: `create index "audit_event_actor_index" on "audit_event" ("organization_id", "actor_user_id", "occurred_at" desc, "id" desc) where "actor_user_id" is not null`,
})
@Index({
  name: 'audit_event_target_user_index',
  expression: `create index "audit_event_target_user_index" on "audit_event" ("organization_id", "target_user_id", "occurred_at" desc, "id" desc) where "target_user_id" is not null`,
})
@Index({
  name: 'audit_event_action_index',
  expression: `create index "audit_event_action_index" on "audit_event" ("organization_id", "action", "occurred_at" desc, "id" desc)`,
})
@Index({
  name: 'audit_event_target_token_index',
  expression: `create index "audit_event_target_token_index" on "audit_event" ("target_token_id") where "target_token_id" is not null`,
})
export class AuditEvent {
  // The database stamps the time, so all instances share one clock.
  [OptionalProps]?: 'occurredAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  // Millisecond precision: the cursor carries a JS Date, which cannot hold microseconds.
  @Property({ type: 'datetime', columnType: 'timestamptz(3)', defaultRaw: 'now()' })
  occurredAt!: Date;

  // By name, not class: organizations import audit (the layering forbids the way back).
  @ManyToOne('Organization', {
    mapToPk: true,
    fieldName: 'organization_id',
    foreignKeyName: 'audit_event_organization_id_fkey',
    deleteRule: 'no action',
    updateRule: 'no action',
  })
  organizationId!: string;

  @Enum({ items: () => AuditAction, columnType: 'text' })
  action!: AuditAction;

  @Property({ type: 'uuid', nullable: true })
  actorUserId: string | null = null;

  @Enum({
    items: allOf<ActorVia>()(['session', 'token', 'password', 'system']),
    columnType: 'text',
  })
  actorVia!: ActorVia;

  @Property({ type: 'uuid', nullable: true })
  actorTokenId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  targetUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  targetTokenId: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  ip: string | null = null;

  @Property({ type: 'string', length: 512, nullable: true })
  userAgent: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  requestId: string | null = null;

  @Property({ type: 'json', columnType: 'jsonb', defaultRaw: `'{}'` })
  metadata: Record<string, unknown> = {};
}
