import { Migration } from '@mikro-orm/migrations';

// The audit_event CHECK must list exactly the AuditAction values (src/audit/audit-action.ts).
const ACTIONS_BEFORE = [
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
const ACTIONS = [...ACTIONS_BEFORE, 'auth.password_changed'];
const KINDS_BEFORE = ['token_created', 'token_revoked'];
const KINDS = [...KINDS_BEFORE, 'password_changed'];

const list = (values: string[]) => values.map((value) => `'${value}'`).join(', ');

/** Password change and reset (SPEC §8): their audit action and their notification. */
export class Migration20261201000000PasswordChange extends Migration {
  override up(): void {
    this.setChecks(ACTIONS, KINDS);
  }

  override down(): void {
    this.setChecks(ACTIONS_BEFORE, KINDS_BEFORE);
  }

  private setChecks(actions: string[], kinds: string[]): void {
    this.addSql(`alter table "audit_event" drop constraint "audit_event_action_check",
      add constraint "audit_event_action_check" check ("action" in (${list(actions)}));`);
    this.addSql(`alter table "mail_outbox" drop constraint "mail_outbox_kind_check",
      add constraint "mail_outbox_kind_check" check ("kind" in (${list(kinds)}));`);
  }
}
