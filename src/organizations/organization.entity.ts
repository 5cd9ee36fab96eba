import { randomUUID } from 'node:crypto';
import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'organization' })
@Check({
  // PostgreSQL stores Migration20261123000500TokenLifetime's "between 1 and 3650" as this.
  name: 'organization_max_token_lifetime_days_check',
  expression: '"max_token_lifetime_days" >= 1 and "max_token_lifetime_days" <= 3650',
})
export class Organization {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 63, unique: 'organization_slug_key' })
  slug!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** The longest lifetime a new token may have in this organization; null: no limit. */
  @Property({ type: 'integer', nullable: true })
  maxTokenLifetimeDays: number | null = null;
}
