import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface, Interface } from 'node:readline';
import { Client } from 'pg';
import { migrations } from '../migrations';

interface Migrator {
  process: ChildProcess;
  next(): Promise<string>;
}

/** A migrate-worker process; `next()` resolves with its next stdout line. */
function startMigrator(): Migrator {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'test/support/migrate-worker.ts'],
    {
      cwd: `${__dirname}/..`,
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json' },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines: Interface = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  return {
    process: child,
    next: () =>
      queue.length > 0
        ? Promise.resolve(queue.shift()!)
        : new Promise((resolve) => waiting.push(resolve)),
  };
}

describe('migrations under an advisory lock', () => {
  const adminUrl = process.env.KEYHOLD_TEST_ADMIN_URL as string;
  let admin: Client;
  let migrators: Migrator[];
  const created: string[] = [];

  beforeAll(async () => {
    admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    migrators = [startMigrator(), startMigrator()];
    for (const migrator of migrators) expect(await migrator.next()).toBe('loaded');
  }, 60_000);
  afterAll(async () => {
    for (const migrator of migrators ?? []) migrator.process.kill();
    for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it('two processes migrating one empty database at once both succeed, 10 times out of 10', async () => {
    const outcomes: string[][] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const name = `keyhold_lock_${randomBytes(4).toString('hex')}`;
      await admin.query(`create database ${name}`);
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      for (const migrator of migrators) migrator.process.stdin!.write(`${url.toString()}\n`);
      const answers = await Promise.all(migrators.map((migrator) => migrator.next()));
      // One applied everything, the other found nothing left to do.
      outcomes.push(answers.sort());
    }
    const expected = Array.from({ length: 10 }, () => ['ok 0', `ok ${migrations.length}`]);
    expect(outcomes).toEqual(expected);
  }, 120_000);
});
