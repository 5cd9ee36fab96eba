import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { allOf } from '../database/enum-items';
import type { MailKind, OutboxPayload } from './mail.types';

const STATUSES = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof STATUSES)[number];

/**
 * One queued email. Written with `em.insert` inside the caller's transaction; the worker reads
 * and updates rows with plain SQL (claim with SKIP LOCKED), never through the identity map.
 */
@Entity({ tableName: 'mail_outbox' })
@Check({ name: 'mail_outbox_attempts_check', expression: '"attempts" >= 0' })
@Index({
  name: 'mail_outbox_due_index',
  expression: `create index "mail_outbox_due_index" on "mail_outbox" ("next_attempt_at") where "status" = 'pending'`,
})
export class OutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt?: Date;

  // In the order the migrations added them to the CHECK constraint.
  @Enum({
    items: allOf<MailKind>()([
      'token_created',
      'token_revoked',
      'password_changed',
      'token_rotated',
      'token_expiring',
      'token_expired',
      'token_new_ip',
      'tokens_revoked_all',
    ]),
    columnType: 'text',
  })
  kind!: MailKind;

  @Property({ type: 'string', length: 254 })
  recipient!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  payload!: OutboxPayload;

  @Enum({ items: [...STATUSES], columnType: 'text', default: 'pending' })
  status: OutboxStatus = 'pending';

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  /** Database time, so instances with skewed clocks agree on when a row is due. */
  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  nextAttemptAt?: Date;

  /** Lease of the worker that claimed the row; see MailOutbox.claim. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  messageId: string | null = null;
}
