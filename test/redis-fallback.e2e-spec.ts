import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freePort } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

const WARNING = 'Redis unreachable';
const RECOVERY = 'Redis reachable again';
// Generous: a request that waited on Redis would take its connect timeout or much longer.
const BOUND_MS = 5_000;

const countLogs = (t: TestApp, text: string) => t.logs.filter((line) => line.includes(text)).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timedLogin(t: TestApp): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const { status } = await t.client().login('nobody@example.test', 'wrong-password');
  return { status, ms: Date.now() - started };
}

describe('REDIS_URL pointing at a port with nothing behind it', () => {
  let t: TestApp;
  let errors: jest.SpyInstance;

  beforeAll(async () => {
    errors = jest.spyOn(console, 'error');
    const port = await freePort();
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}`, LOGIN_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    errors.mockRestore();
    await t?.close();
  });

  it('rate limits fall back to per-instance memory: no request fails or waits, one warning', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await timedLogin(t));
    expect(results.map((result) => result.status)).toEqual([400, 400, 400, 429, 429]);
    for (const result of results) expect(result.ms).toBeLessThan(BOUND_MS);
    // Several reconnect attempts later, still the one warning, and nothing on the console.
    await sleep(1_500);
    await timedLogin(t);
    expect(countLogs(t, WARNING)).toBe(1);
    expect(errors).not.toHaveBeenCalled();
  });

  it('readiness reports Redis down (503, within the bound)', async () => {
    const started = Date.now();
    const ready = await t.client().get('/health/ready');
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      code: 'service_unavailable',
      checks: { database: 'ok', cacheListener: 'ok', redis: 'down' },
    });
  });
});

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// The recovery half needs a real Redis to stop and start again: runs where redis-server exists.
const describeWithRedisServer = hasRedisServer() ? describe : describe.skip;

describeWithRedisServer('Redis going away and coming back (a redis-server of the test own)', () => {
  let t: TestApp;
  let port: number;
  let redis: ChildProcess | undefined;

  async function startRedis(): Promise<void> {
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await sleep(300);
  }
  async function stopRedis(): Promise<void> {
    const exited = new Promise((resolve) => redis?.once('exit', resolve));
    redis?.kill('SIGKILL');
    await exited;
    redis = undefined;
  }
  async function waitForReadiness(status: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await t.client().get('/health/ready')).status !== status) {
      if (Date.now() > deadline) throw new Error(`readiness never answered ${status}`);
      await sleep(100);
    }
  }

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    t = await startTestApp({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      LOGIN_LIMIT_PER_MINUTE: '100',
    });
    await waitForReadiness(200);
  });
  afterAll(async () => {
    await t?.close();
    if (redis) await stopRedis();
  });

  it('warns once when Redis goes, keeps answering meanwhile, and says so when it is back', async () => {
    expect((await timedLogin(t)).status).toBe(400);
    await stopRedis();
    await waitForReadiness(503);
    for (let i = 0; i < 3; i++) {
      const result = await timedLogin(t);
      expect(result.status).toBe(400);
      expect(result.ms).toBeLessThan(BOUND_MS);
    }
    expect(countLogs(t, WARNING)).toBe(1);
    await startRedis();
    await waitForReadiness(200);
    expect(countLogs(t, RECOVERY)).toBe(1);
    expect((await timedLogin(t)).status).toBe(400);
  }, 60_000);
});
