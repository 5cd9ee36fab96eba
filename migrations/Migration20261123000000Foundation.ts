import { Migration } from '@mikro-orm/migrations';

export class Migration20261123000000Foundation extends Migration {
  override up(): void {
    this.addSql(`create type "auth_method" as enum ('password', 'sso');`);
    this.addSql(`create table "organization" (
      "id" uuid primary key,
      "slug" varchar(63) not null unique,
      "name" varchar(100) not null,
      "created_at" timestamptz not null default now());`);
    this.addSql(`create table "app_user" (
      "id" uuid primary key,
      "email" varchar(254) not null unique check ("email" = lower("email")),
      "name" varchar(100) not null,
      "password_hash" text null,
      "created_at" timestamptz not null default now());`);
    this.addSql(`create table "membership" (
      "user_id" uuid primary key references "app_user" ("id") on delete cascade,
      "organization_id" uuid not null references "organization" ("id") on delete cascade,
      "is_superuser" boolean not null default false,
      "permissions" text[] not null default '{}',
      "is_active" boolean not null default true,
      "auth_method" "auth_method" not null default 'password',
      "last_login_at" timestamptz null,
      "failed_login_count" integer not null default 0,
      "created_at" timestamptz not null default now());`);
    this.addSql(
      `create index "membership_organization_id_index" on "membership" ("organization_id");`,
    );
    this.addSql(`create table "session" (
      "id" uuid primary key,
      "secret_hash" varchar(64) not null unique,
      "csrf_hash" varchar(64) not null,
      "user_id" uuid not null references "app_user" ("id") on delete cascade,
      "method" "auth_method" not null,
      "created_at" timestamptz not null default now(),
      "last_seen_at" timestamptz not null default now(),
      "absolute_expires_at" timestamptz not null,
      "password_verified_at" timestamptz null,
      "ip" varchar(64) not null,
      "user_agent" varchar(512) not null);`);
    this.addSql(`create index "session_user_id_index" on "session" ("user_id");`);
  }

  override down(): void {
    this.addSql(`drop table "session", "membership", "app_user", "organization";`);
    this.addSql(`drop type "auth_method";`);
  }
}
