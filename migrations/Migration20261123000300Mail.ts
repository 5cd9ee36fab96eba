import { Migration } from '@mikro-orm/migrations';

export class Migration20261123000300Mail extends Migration {
  override up(): void {
    // Transactional outbox (SPEC §7): rows are written in the same transaction as the token
    // change and delivered by MailWorker. `locked_until` is the lease a worker takes when it
    // claims a row, so a claimed row is invisible to other instances until sent or released.
    this.addSql(`create table "mail_outbox" (
      "id" uuid primary key,
      "created_at" timestamptz not null default now(),
      "kind" text not null check ("kind" in ('token_created', 'token_revoked')),
      "recipient" varchar(254) not null,
      "payload" jsonb not null,
      "status" text not null default 'pending' check ("status" in ('pending', 'sent', 'failed')),
      "attempts" integer not null default 0 check ("attempts" >= 0),
      "next_attempt_at" timestamptz not null default now(),
      "locked_until" timestamptz null,
      "last_error" text null,
      "sent_at" timestamptz null,
      "message_id" text null);`);
    this.addSql(
      `create index "mail_outbox_due_index" on "mail_outbox" ("next_attempt_at") where "status" = 'pending';`,
    );
  }

  override down(): void {
    this.addSql(`drop table "mail_outbox";`);
  }
}
