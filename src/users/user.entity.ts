import { randomUUID } from 'node:crypto';
import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'app_user' })
@Check({ name: 'app_user_email_check', expression: '"email" = lower("email")' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased; unique. */
  @Property({ type: 'string', length: 254, unique: 'app_user_email_key' })
  email!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  /** scrypt hash; null for SSO users, who have no local password. */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
