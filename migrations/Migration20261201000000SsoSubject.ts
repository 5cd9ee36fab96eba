import { Migration } from '@mikro-orm/migrations';

/** The provider's `sub` recorded at a member's first SSO sign-in (SPEC §5a: identities pinned). */
export class Migration20261201000000SsoSubject extends Migration {
  override up(): void {
    this.addSql(`alter table "membership" add column "sso_subject" varchar(255) null;`);
  }

  override down(): void {
    this.addSql(`alter table "membership" drop column "sso_subject";`);
  }
}
