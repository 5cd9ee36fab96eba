import { spawnSync } from 'node:child_process';

function migrationCreate(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'src/cli/create-migration.ts', ...args],
    {
      cwd: `${__dirname}/..`,
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json', ...env },
      encoding: 'utf8',
    },
  );
}

// `npm run migration:create` diffs the entities against a scratch database migrated by the
// committed migrations: they must agree, or the next generated migration would carry someone
// else's change (test/schema-drift.e2e-spec.ts prints the difference statement by statement).
describe('npm run migration:create', () => {
  it('finds the committed entities and migrations in agreement (--check exits 0)', () => {
    // The test server: the command creates its scratch database there and drops it.
    const result = migrationCreate(['--check'], {
      DATABASE_URL: process.env.KEYHOLD_TEST_ADMIN_URL,
    });
    expect({ status: result.status, stdout: result.stdout.trim(), stderr: result.stderr }).toEqual({
      status: 0,
      stdout: JSON.stringify({ action: 'migration:create', check: 'none' }),
      stderr: '',
    });
  }, 60_000);

  it('--help exits 0 without touching a database', () => {
    const result = migrationCreate(['--help'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('npm run migration:create -- <Name>');
    expect(result.stdout).toContain('--check');
  }, 60_000);
});
