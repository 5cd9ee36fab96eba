import { Migration } from '@mikro-orm/migrations';

export class Migration20261123000100Tokens extends Migration {
  override up(): void {
    this.addSql(`create type "token_channel" as enum ('profile', 'api_token_auth');`);
    this.addSql(`create table "api_token" (
      "id" uuid primary key,
      "user_id" uuid not null references "app_user" ("id") on delete cascade,
      "organization_id" uuid not null references "organization" ("id") on delete cascade,
      "name" varchar(100) not null,
      "digest" varchar(64) null unique,
      "preview" varchar(20) not null,
      "channel" "token_channel" not null,
      "created_at" timestamptz(3) not null default now(),
      "created_ip" varchar(64) not null,
      "created_user_agent" varchar(512) not null,
      "expires_at" timestamptz null,
      "last_used_at" timestamptz(3) null,
      "last_used_method" varchar(16) null,
      "last_used_path" varchar(2048) null,
      "last_used_ip" varchar(64) null,
      "last_used_user_agent" varchar(512) null,
      "revoked_at" timestamptz null,
      "revoked_by" uuid null references "app_user" ("id") on delete set null,
      constraint "api_token_revoked_has_no_digest" check ("revoked_at" is null or "digest" is null));`);
    this.addSql(
      `create index "api_token_user_active_index" on "api_token" ("user_id", "created_at" desc) where "revoked_at" is null;`,
    );
    this.addSql(
      `create index "api_token_organization_active_index" on "api_token" ("organization_id", "created_at" desc) where "revoked_at" is null;`,
    );
  }

  override down(): void {
    this.addSql(`drop table "api_token";`);
    this.addSql(`drop type "token_channel";`);
  }
}
