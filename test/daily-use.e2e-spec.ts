import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, TestDatabase } from './support/database';
import { freePort } from './support/smtp-sink';

const repo = resolve(__dirname, '..');

/** src/main.ts as `npm start` runs it, but from `cwd` (where a .env may be). */
function startMain(cwd: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['-r', require.resolve('ts-node/register/transpile-only'), join(repo, 'src/main.ts')],
    {
      cwd,
      env: {
        ...process.env,
        TS_NODE_PROJECT: join(repo, 'tsconfig.json'),
        NODE_ENV: 'test',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  return { child, exited, stderr: () => stderr };
}

describe('daily use (SPEC §8)', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'keyhold-cwd-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .env from the working directory; the real environment wins', async () => {
    const port = await freePort();
    await writeFile(
      join(dir, '.env'),
      [`PORT=${port}`, 'BOOTSTRAP_ORG_NAME=From The File', 'LOG_LEVEL=warn', ''].join('\n'),
    );
    const server = startMain(dir, {
      DATABASE_URL: db.url,
      DATA_DIR: join(dir, 'data'),
      BOOTSTRAP_ORG_NAME: 'From The Environment',
    });
    try {
      const deadline = Date.now() + 60_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((done) => setTimeout(done, 200));
      }
      expect(ready).toBe(true);
      const { rows } = await db.sql.query('select name from organization');
      expect(rows).toEqual([{ name: 'From The Environment' }]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);

  it('a port already in use: one clear line, no stack, exit 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const server = startMain(repo, {
        DATABASE_URL: db.url,
        DATA_DIR: join(dir, 'data'),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      });
      expect(await server.exited).toBe(1);
      const lines = server.stderr().trim().split('\n');
      expect(lines).toEqual([
        `keyhold: port ${port} on 127.0.0.1 is already in use; stop the other process or set PORT to a free port.`,
      ]);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  }, 90_000);
});
