import { spawnSync } from 'node:child_process';

// `npm run migration:create` diffs the entities against migrations/.snapshot-keyhold.json: the
// snapshot must describe the entities as committed, or the next generated migration would carry
// someone else's change (after a hand-written migration: `npm run migration:create -- --baseline`).
describe('npm run migration:create', () => {
  it('finds the committed entities and the snapshot in agreement (--check exits 0)', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/create-migration.ts', '--check'],
      {
        cwd: `${__dirname}/..`,
        env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json' },
        encoding: 'utf8',
      },
    );
    expect({ status: result.status, stdout: result.stdout.trim() }).toEqual({
      status: 0,
      stdout: JSON.stringify({ action: 'migration:create', check: 'none' }),
    });
  }, 60_000);
});
