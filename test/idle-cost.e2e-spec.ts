import { Client } from 'pg';
import { startTestApp, TestApp } from './support/test-app';

const WINDOW_MS = 30_000;
// SPEC §10: at most one transaction every 5 s on average.
const BUDGET = WINDOW_MS / 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Committed plus rolled-back transactions of one database, read from another connection. */
async function transactionsOf(admin: Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ total: string }>(
    'select xact_commit + xact_rollback as total from pg_stat_database where datname = $1',
    [database],
  );
  return Number(rows[0].total);
}

describe('an idle instance', () => {
  let t: TestApp;
  let admin: Client;
  let database: string;

  beforeAll(async () => {
    t = await startTestApp();
    database = new URL(t.db.url).pathname.slice(1);
    // Counted from the server's own database, so the counting itself costs the test DB nothing;
    // the test's direct connection to its database stays idle throughout.
    admin = new Client({ connectionString: process.env.KEYHOLD_TEST_ADMIN_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  it(`makes at most one database transaction per 5 s (${BUDGET} in ${WINDOW_MS / 1000} s)`, async () => {
    // Past start-up (bootstrap, the first outbox pass) and the statistics' flush delay (an idle
    // backend reports its counts within about 10 s, so both readings lag alike).
    await sleep(11_000);
    const before = await transactionsOf(admin, database);
    await sleep(WINDOW_MS);
    const after = await transactionsOf(admin, database);
    process.stdout.write(
      `idle instance: ${after - before} transactions in ${WINDOW_MS / 1000} s\n`,
    );
    expect(after - before).toBeLessThanOrEqual(BUDGET);
  }, 90_000);
});
