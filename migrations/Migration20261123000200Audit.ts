import { Migration } from '@mikro-orm/migrations';

// Must list exactly the AuditAction values (src/audit/audit-action.ts).
const ACTIONS = [
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.logout',
  'auth.sso.login',
  'auth.reauthenticated',
  'token.created',
  'token.revoked',
  'permission.granted',
  'permission.withdrawn',
  'member.added',
  'member.superuser_granted',
  'member.superuser_withdrawn',
  'member.deactivated',
  'member.activated',
  'member.auth_method_changed',
  'api_token_auth.denied',
];

export class Migration20261123000200Audit extends Migration {
  override up(): void {
    // Millisecond precision: the cursor carries a JS Date, which cannot hold microseconds.
    this.addSql(`create table "audit_event" (
      "id" uuid primary key,
      "occurred_at" timestamptz(3) not null default now(),
      "organization_id" uuid not null references "organization" ("id"),
      "action" text not null check ("action" in (${ACTIONS.map((a) => `'${a}'`).join(', ')})),
      "actor_user_id" uuid null,
      "actor_via" text not null check ("actor_via" in ('session', 'token', 'password', 'system')),
      "actor_token_id" uuid null,
      "target_user_id" uuid null,
      "target_token_id" uuid null,
      "ip" varchar(64) null,
      "user_agent" varchar(512) null,
      "request_id" varchar(64) null,
      "metadata" jsonb not null default '{}' check (jsonb_typeof("metadata") = 'object'),
      constraint "audit_event_token_actor_check"
        check ("actor_via" <> 'token' or "actor_token_id" is not null));`);
    this.addSql(`create index "audit_event_org_time_index"
      on "audit_event" ("organization_id", "occurred_at" desc, "id" desc);`);
    this.addSql(`create index "audit_event_actor_index"
      on "audit_event" ("organization_id", "actor_user_id", "occurred_at" desc, "id" desc)
      where "actor_user_id" is not null;`);
    this.addSql(`create index "audit_event_target_user_index"
      on "audit_event" ("organization_id", "target_user_id", "occurred_at" desc, "id" desc)
      where "target_user_id" is not null;`);
    this.addSql(`create index "audit_event_action_index"
      on "audit_event" ("organization_id", "action", "occurred_at" desc, "id" desc);`);
    this.addSql(`create index "audit_event_target_token_index"
      on "audit_event" ("target_token_id") where "target_token_id" is not null;`);
    // Append-only, enforced by the database so that no code path (or SQL console) rewrites history.
    this.addSql(`create function "audit_event_refuse_change"() returns trigger
      language plpgsql as $$
      begin
        raise exception 'audit_event is append-only: % is not allowed', tg_op
          using errcode = 'insufficient_privilege';
      end;
      $$;`);
    this.addSql(`create trigger "audit_event_no_update_delete"
      before update or delete on "audit_event"
      for each row execute function "audit_event_refuse_change"();`);
    this.addSql(`create trigger "audit_event_no_truncate"
      before truncate on "audit_event"
      for each statement execute function "audit_event_refuse_change"();`);
  }

  override down(): void {
    this.addSql(`drop table "audit_event";`);
    this.addSql(`drop function "audit_event_refuse_change"();`);
  }
}
