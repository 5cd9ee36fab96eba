/** Reading the audit log in tests: through its API, and straight from the table. */
import type { TestContext } from './context';
import type { HttpClient } from './http-client';

export interface EventView {
  id: string;
  occurredAt: string;
  action: string;
  actor: { userId: string | null; via: string; tokenId?: string };
  targetUserId: string | null;
  targetTokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

export interface EventPage {
  items: EventView[];
  nextCursor: string | null;
  /** Set on a problem answer. */
  code?: string;
}

/** A password no account has: a failed login with it must never be stored. */
export const WRONG_PASSWORD = 'wrong-password-never-stored';

/** `GET /organizations/{org}/audit-events{query}` as `client`, the context's organization by default. */
export const auditEvents = (t: TestContext, client: HttpClient, query = '', org = t.org.id) =>
  client.get<EventPage>(t.orgPath(`/audit-events${query}`, org));

/** The newest event matching `query`, as the superuser reads it. */
export async function latestEvent(t: TestContext, query: string): Promise<EventView> {
  const response = await auditEvents(t, t.admin, `?limit=1&${query}`);
  expect(response.status).toBe(200);
  expect(response.body.items).toHaveLength(1);
  return response.body.items[0];
}

/** How many rows of audit_event match the SQL condition `where`. */
export async function countEvents(
  t: TestContext,
  where = 'true',
  params: unknown[] = [],
): Promise<number> {
  const { rows } = await t.db.sql.query<{ n: number }>(
    `select count(*)::int as n from audit_event where ${where}`,
    params,
  );
  return rows[0].n;
}
