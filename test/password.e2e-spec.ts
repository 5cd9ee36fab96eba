import { existsSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectProblem } from './support/context';
import { addMember, PASSWORD, signIn } from './support/fixtures';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

const NEW_PASSWORD = 'a-brand-new-password-42';
const SUBJECT = 'The password of your Keyhold account was changed';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI as an operator runs it (src/cli/main.ts through ts-node), stdin optional. */
async function cli(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', ...args],
    {
      cwd: `${__dirname}/..`,
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json', NODE_ENV: 'test', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

async function waitForMail(sink: SmtpSink, to: string, count: number): Promise<void> {
  // Generous: on a loaded machine a CLI process, a NOTIFY and an SMTP send each take a while;
  // past the worker's 60 s safety sweep, so a lost NOTIFY still shows as a late mail, not none.
  const deadline = Date.now() + 70_000;
  const matching = () =>
    sink.messages.filter((m) => m.envelopeTo.includes(to) && m.header('subject') === SUBJECT);
  while (matching().length < count) {
    if (Date.now() > deadline) throw new Error(`no password mail for ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('password change and reset (SPEC §8)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      LOGIN_LIMIT_PER_MINUTE: '100',
    });
    dataDir = await mkdtemp(join(tmpdir(), 'keyhold-cli-'));
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('POST /api/v1/auth/password: proves the current one, ends the other sessions, audits and mails', async () => {
    const { email, id } = await addMember(t, { email: 'changer@example.test' });
    const here = await signIn(t, email);
    const elsewhere = await signIn(t, email);

    const wrong = await here.post('/api/v1/auth/password', {
      currentPassword: 'not-my-password',
      newPassword: NEW_PASSWORD,
    });
    expectProblem(wrong, 400, 'invalid_credentials');
    const short = await here.post('/api/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
    });
    expectProblem(short, 400, 'validation_failed');
    const noCsrf = await here.request('POST', '/api/v1/auth/password', {
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      csrf: false,
    });
    expect(noCsrf.status).toBe(403);
    expect((await elsewhere.get('/api/v1/me')).status).toBe(200);

    const changed = await here.post('/api/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.status).toBe(204);
    expect((await here.get('/api/v1/me')).status).toBe(200);
    expect((await elsewhere.get('/api/v1/me')).status).toBe(401);
    expect((await t.client().login(email, PASSWORD)).status).toBe(400);
    expect((await t.client().login(email, NEW_PASSWORD)).status).toBe(200);

    const { rows } = await t.db.sql.query(
      `select actor_user_id, actor_via, metadata from audit_event
       where action = 'auth.password_changed' and target_user_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ actor_user_id: id, actor_via: 'session', metadata: { by: 'self' } }]);
    await waitForMail(sink, email, 1);
    const mail = sink.messages.find((m) => m.envelopeTo.includes(email))!;
    expect(mail.text).toContain('your other sessions were ended');
    expect(mail.text).not.toContain(NEW_PASSWORD);
  });

  it('npm run cli -- user:reset-password: from stdin or generated, never argv; every session ends', async () => {
    const { email, id } = await addMember(t, { email: 'forgetful@example.test' });
    const session = await signIn(t, email);
    const env = { DATABASE_URL: t.db.url, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const fromStdin = 'typed-into-stdin-password';
    const piped = await cli(
      ['user:reset-password', '--email', email, '--password-stdin'],
      env,
      `${fromStdin}\n`,
    );
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toEqual({
      action: 'user:reset-password',
      user: { id, email },
      sessionsEnded: true,
    });
    expect(piped.stdout + piped.stderr).not.toContain(fromStdin);
    expect((await session.get('/api/v1/me')).status).toBe(401);
    expect((await t.client().login(email, fromStdin)).status).toBe(200);

    const generated = await cli(['user:reset-password', '--email', email], env);
    expect(generated.code).toBe(0);
    const { generatedPassword } = JSON.parse(generated.stdout) as { generatedPassword: string };
    expect(generatedPassword.length).toBeGreaterThanOrEqual(20);
    expect((await t.client().login(email, fromStdin)).status).toBe(400);
    expect((await t.client().login(email, generatedPassword)).status).toBe(200);

    const { rows } = await t.db.sql.query(
      `select actor_via, metadata, ip from audit_event
       where action = 'auth.password_changed' and target_user_id = $1`,
      [id],
    );
    expect(rows).toEqual([
      { actor_via: 'system', metadata: { by: 'operator' }, ip: 'cli' },
      { actor_via: 'system', metadata: { by: 'operator' }, ip: 'cli' },
    ]);
    // Queued by the CLI, delivered by the running server's worker (woken by the NOTIFY), never
    // by a worker in the CLI process with the CLI's own transport (.eml files in its DATA_DIR).
    await waitForMail(sink, email, 2);
    expect(existsSync(join(dataDir, 'mail')) ? readdirSync(join(dataDir, 'mail')) : []).toEqual([]);
  }, 180_000);

  it('--help on the CLI and on every command exits 0 without touching a database', async () => {
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: dataDir };
    const top = await cli(['--help'], env);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('user:reset-password');
    const commands = ['migrate', 'org:create', 'user:add', 'user:reset-password', 'org:sso'];
    const runs = await Promise.all(commands.map((command) => cli([command, '--help'], env)));
    for (const [index, command] of commands.entries()) {
      expect({ command, code: runs[index].code }).toEqual({ command, code: 0 });
      expect(runs[index].stdout).toContain(`npm run cli -- ${command}`);
    }
  }, 180_000);
});
