import type { Client } from 'pg';

/** Every row of every table in the public schema as text, for "nothing stored" checks. */
export async function dumpDatabase(sql: Client): Promise<Record<string, string[]>> {
  const { rows: tables } = await sql.query<{ name: string }>(
    `select table_name as name from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const dump: Record<string, string[]> = {};
  for (const { name } of tables) {
    const { rows } = await sql.query<{ row: string }>(
      `select t::text as row from "${name}" t order by 1`,
    );
    dump[name] = rows.map((r) => r.row);
  }
  return dump;
}

/**
 * The state a refused request must not change: every table, minus the bookkeeping a refusal
 * legitimately writes (failed-login counters, last-used and recent IPs with their new-IP alerts,
 * the audit of refused credentials, migration history) and short-lived login states.
 */
export async function domainState(sql: Client): Promise<Record<string, unknown[]>> {
  const query = async (text: string) => (await sql.query(text)).rows;
  return {
    organization: await query('select * from organization order by id'),
    app_user: await query('select * from app_user order by id'),
    membership: await query(
      'select user_id, organization_id, is_superuser, permissions, is_active, auth_method, sso_subject from membership order by user_id',
    ),
    api_token: await query(
      'select id, user_id, name, digest, revoked_at, expires_at from api_token order by id',
    ),
    session: await query(
      'select id, user_id, absolute_expires_at, password_verified_at from session order by id',
    ),
    organization_sso: await query('select * from organization_sso order by organization_id'),
    // A token used from a new IP (an accepted GET behind X-Forwarded-For) alerts its owner.
    mail_outbox: await query(`select id from mail_outbox where kind <> 'token_new_ip' order by id`),
    audit_event: await query(
      `select id, action from audit_event
       where action not in ('auth.login.failed', 'api_token_auth.denied', 'token.used_from_new_ip')
       order by id`,
    ),
  };
}
