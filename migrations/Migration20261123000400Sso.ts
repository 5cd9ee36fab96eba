import { Migration } from '@mikro-orm/migrations';

/**
 * Per-organization OpenID Connect: the provider settings (client secret encrypted with
 * AES-256-GCM, never in clear) and the pending logins between /start and /callback.
 */
export class Migration20261123000400Sso extends Migration {
  override up(): void {
    this.addSql(`create table "organization_sso" (
      "organization_id" uuid primary key references "organization" ("id") on delete cascade,
      "issuer" text not null,
      "client_id" text not null,
      "client_secret_encrypted" text not null,
      "allowed_email_domains" text[] not null default '{}',
      "updated_at" timestamptz not null default now());`);
    // Pending logins live server-side rather than in a signed cookie: the row is deleted when
    // the callback uses it, so a state is good once on every instance, and the PKCE verifier
    // never leaves the server. `browser_hash` binds it to the browser that started it.
    this.addSql(`create table "sso_login_state" (
      "state_hash" varchar(64) primary key,
      "organization_id" uuid not null references "organization" ("id") on delete cascade,
      "browser_hash" varchar(64) not null,
      "code_verifier_encrypted" text not null,
      "nonce" text not null,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null);`);
    this.addSql(
      `create index "sso_login_state_expires_at_index" on "sso_login_state" ("expires_at");`,
    );
  }

  override down(): void {
    this.addSql(`drop table "sso_login_state", "organization_sso";`);
  }
}
