import { Migration } from '@mikro-orm/migrations';

export class Migration20261123000500TokenLifetime extends Migration {
  override up(): void {
    this.addSql(`alter table "organization" add column "max_token_lifetime_days" integer null
      check ("max_token_lifetime_days" between 1 and 3650);`);
  }

  override down(): void {
    this.addSql(`alter table "organization" drop column "max_token_lifetime_days";`);
  }
}
