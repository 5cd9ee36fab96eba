import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { ActorVia, AuditAction } from './audit-action';

/** One row of the append-only audit log; the database refuses UPDATE, DELETE and TRUNCATE. */
@Entity({ tableName: 'audit_event' })
export class AuditEvent {
  // The database stamps the time, so all instances share one clock.
  [OptionalProps]?: 'occurredAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', defaultRaw: 'now()' })
  occurredAt!: Date;

  @Property({ type: 'uuid' })
  organizationId!: string;

  @Property({ type: 'text' })
  action!: AuditAction;

  @Property({ type: 'uuid', nullable: true })
  actorUserId: string | null = null;

  @Property({ type: 'text' })
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

  @Property({ type: 'json', columnType: 'jsonb' })
  metadata: Record<string, unknown> = {};
}
