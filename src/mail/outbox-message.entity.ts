import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { MailKind, OutboxPayload } from './mail.types';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * One queued email. Written with `em.insert` inside the caller's transaction; the worker reads
 * and updates rows with plain SQL (claim with SKIP LOCKED), never through the identity map.
 */
@Entity({ tableName: 'mail_outbox' })
export class OutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt?: Date;

  @Property({ type: 'text' })
  kind!: MailKind;

  @Property({ type: 'string', length: 254 })
  recipient!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  payload!: OutboxPayload;

  @Property({ type: 'text', default: 'pending' })
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
