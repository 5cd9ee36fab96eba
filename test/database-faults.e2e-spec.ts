import { bearer } from './support/context';
import { createToken } from './support/fixtures';
import { HttpClient, HttpResponse } from './support/http-client';
import { PgCluster, startPgCluster } from './support/pg-cluster';
import { startTestApp, TestApp } from './support/test-app';

// Generous: the configured bounds below are 1 s to connect and 2 s per statement.
const BOUND_MS = 15_000;

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

async function waitUntilReady(client: HttpClient): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await client.get('/health/ready')).status !== 200) {
    if (Date.now() > deadline) throw new Error('never became ready again');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function expectUnavailable(response: HttpResponse, ms: number): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({
    status: 503,
    code: 'service_unavailable',
  });
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(ms).toBeLessThan(BOUND_MS);
}

describe('the database unavailable (a cluster of its own, stopped and frozen)', () => {
  let cluster: PgCluster;
  let t: TestApp;
  let admin: HttpClient;
  const unusedTokens: string[] = [];

  beforeAll(async () => {
    cluster = await startPgCluster();
    t = await startTestApp(
      { DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '2000' },
      cluster.db,
    );
    admin = await t.admin();
    // Never used before the fault, so no instance has them cached: verifying needs the database.
    for (let i = 0; i < 4; i++) unusedTokens.push((await createToken(admin, `fault ${i}`)).token);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await cluster?.destroy();
  }, 60_000);

  it('stopped: token, session, create and login requests answer 503 with Retry-After; readiness names the database', async () => {
    await cluster.stop();
    const token = await timed(() => t.client().get('/api/v1/me', bearer(unusedTokens[0])));
    expectUnavailable(token.result, token.ms);
    const session = await timed(() => admin.get('/api/v1/me'));
    expectUnavailable(session.result, session.ms);
    const create = await timed(() =>
      admin.post('/api/v1/profile/tokens', { name: 'during outage', expiresInDays: 30 }),
    );
    expectUnavailable(create.result, create.ms);
    const login = await timed(() => t.client().login('admin@example.test', 'whatever-password'));
    expectUnavailable(login.result, login.ms);
    const ready = await timed(() => t.client().get('/health/ready'));
    expectUnavailable(ready.result, ready.ms);
    expect(ready.result.body.checks).toMatchObject({ database: 'down' });
    expect(String(ready.result.body.detail)).toContain('database');
    expect(t.logs.join('\n')).not.toContain('"level":50');

    await cluster.start();
    await waitUntilReady(t.client());
    expect((await t.client().get('/api/v1/me', bearer(unusedTokens[0]))).status).toBe(200);
  }, 120_000);

  it('frozen (no answer at all): requests and readiness answer 503 within the bound, then recover', async () => {
    await cluster.freeze();
    try {
      const [token, session, ready] = await Promise.all([
        timed(() => t.client().get('/api/v1/me', bearer(unusedTokens[1]))),
        timed(() => admin.get('/api/v1/me')),
        timed(() => t.client().get('/health/ready')),
      ]);
      expectUnavailable(token.result, token.ms);
      expectUnavailable(session.result, session.ms);
      expectUnavailable(ready.result, ready.ms);
      expect(ready.result.body.checks).toMatchObject({ database: 'down' });
      // The invalidation listener's ping (no transaction) notices too: the token cache goes off.
      const deadline = Date.now() + 20_000;
      let checks: unknown;
      do {
        checks = (await t.client().get('/health/ready')).body.checks;
      } while (
        (checks as { cacheListener?: string }).cacheListener !== 'down' &&
        Date.now() < deadline
      );
      expect(checks).toMatchObject({ database: 'down', cacheListener: 'down' });
    } finally {
      await cluster.thaw();
    }
    await waitUntilReady(t.client());
    expect((await t.client().get('/api/v1/me', bearer(unusedTokens[1]))).status).toBe(200);
    expect((await admin.get('/api/v1/me')).status).toBe(200);
  }, 120_000);
});
