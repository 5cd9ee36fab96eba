import { Client } from 'pg';

export interface IdleResult {
  seconds: number;
  /** Committed plus rolled-back transactions of the instance's database over the window. */
  transactions: number;
  perSecond: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An idle instance's database transactions per second (SPEC §10: at most one every 5 s), from
 * pg_stat_database read over a connection to the server's `postgres` database, so that reading
 * costs the measured database nothing. Waits out the statistics' flush delay (about 10 s) first.
 */
export async function measureIdleTransactions(
  databaseUrl: string,
  seconds: number,
): Promise<IdleResult> {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const statsUrl = new URL(databaseUrl);
  statsUrl.pathname = '/postgres';
  const client = new Client({ connectionString: statsUrl.toString() });
  await client.connect();
  const read = async () => {
    const { rows } = await client.query<{ total: string }>(
      'select xact_commit + xact_rollback as total from pg_stat_database where datname = $1',
      [database],
    );
    return Number(rows[0]?.total ?? 0);
  };
  try {
    await sleep(11_000);
    const before = await read();
    await sleep(seconds * 1000);
    const transactions = (await read()) - before;
    return { seconds, transactions, perSecond: transactions / seconds };
  } finally {
    await client.end();
  }
}
