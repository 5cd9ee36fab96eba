import { Migration } from '@mikro-orm/migrations';

// The actions of Migration20261123000200Audit and Migration20261201000000PasswordChange (which
// runs first: migrations apply in name order).
const AUDIT_ACTIONS_BEFORE = [
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
  'auth.password_changed',
];
const NEW_ACTIONS = ['token.rotated', 'token.used_from_new_ip', 'token.expired'];
const MAIL_KINDS_BEFORE = ['token_created', 'token_revoked', 'password_changed'];
const MAIL_KINDS = [
  ...MAIL_KINDS_BEFORE,
  'token_rotated',
  'token_expiring',
  'token_expired',
  'token_new_ip',
  'tokens_revoked_all',
];
const list = (values: string[]) => values.map((value) => `'${value}'`).join(', ');

/**
 * Token lifecycle (SPEC §2a): access level, rotation links, who revoked, the last 5 client IPs,
 * the new-IP alert clock and which expiry notice was sent last.
 */
export class Migration20261201000000TokenLifecycle extends Migration {
  override up(): void {
    this.addSql(`alter table "api_token"
      add column "access" text not null default 'read_write'
        check ("access" in ('read_only', 'read_write')),
      add column "revoked_by_kind" text null
        check ("revoked_by_kind" in ('owner', 'superuser', 'leak_report')),
      add column "rotated_from_id" uuid null references "api_token" ("id") on delete set null,
      add column "rotated_to_id" uuid null references "api_token" ("id") on delete set null,
      add column "recent_ips" jsonb not null default '[]' check (jsonb_typeof("recent_ips") = 'array'),
      add column "new_ip_alerted_at" timestamptz null,
      add column "last_notice_days" integer null;`);
    // Tokens revoked before this migration were revoked by their owner or a superuser.
    this.addSql(`update "api_token" set "revoked_by_kind" =
      case when "revoked_by" is null then 'leak_report'
           when "revoked_by" = "user_id" then 'owner' else 'superuser' end
      where "revoked_at" is not null;`);
    // The last known IP starts the list (same ISO format as the application writes).
    this.addSql(`update "api_token" set "recent_ips" = jsonb_build_array(jsonb_build_object(
        'ip', "last_used_ip",
        'firstSeenAt', to_char("last_used_at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'lastSeenAt', to_char("last_used_at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
      where "last_used_ip" is not null and "last_used_at" is not null;`);
    // The expiry sweep only ever looks at live tokens that still have a notice to send.
    this.addSql(`create index "api_token_expiry_notice_index" on "api_token" ("expires_at")
      where "revoked_at" is null and "rotated_to_id" is null and "expires_at" is not null
        and ("last_notice_days" is null or "last_notice_days" > 0);`);
    this.addSql(
      `create index "api_token_user_all_index" on "api_token" ("user_id", "created_at" desc);`,
    );
    this.addSql(
      `create index "api_token_organization_all_index" on "api_token" ("organization_id", "created_at" desc);`,
    );
    this.addSql(`alter table "audit_event" drop constraint "audit_event_action_check";`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_action_check"
      check ("action" in (${list([...AUDIT_ACTIONS_BEFORE, ...NEW_ACTIONS])}));`);
    this.addSql(`alter table "mail_outbox" drop constraint "mail_outbox_kind_check";`);
    this.addSql(`alter table "mail_outbox" add constraint "mail_outbox_kind_check"
      check ("kind" in (${list(MAIL_KINDS)}));`);
  }

  override down(): void {
    this.addSql(`alter table "mail_outbox" drop constraint "mail_outbox_kind_check";`);
    this.addSql(`alter table "mail_outbox" add constraint "mail_outbox_kind_check"
      check ("kind" in (${list(MAIL_KINDS_BEFORE)}));`);
    this.addSql(`alter table "audit_event" drop constraint "audit_event_action_check";`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_action_check"
      check ("action" in (${list(AUDIT_ACTIONS_BEFORE)}));`);
    this.addSql(`drop index "api_token_expiry_notice_index", "api_token_user_all_index",
      "api_token_organization_all_index";`);
    this.addSql(`alter table "api_token" drop column "access", drop column "revoked_by_kind",
      drop column "rotated_from_id", drop column "rotated_to_id", drop column "recent_ips",
      drop column "new_ip_alerted_at", drop column "last_notice_days";`);
  }
}
