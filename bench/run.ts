/**
 * Keyhold benchmark (SPEC section 10): `npm run bench`.
 *
 * One server, started in this process on a fresh database, so that its QueryCounter and
 * LastUsedRecorder can be read around every measured window; autocannon runs in a child
 * process (bench/load.ts) so that it never shares the server's event loop. Scenarios: a raw
 * Fastify hello-world in the same process (the limit of the stack), the unauthenticated baseline, GET /api/v1/me with a valid, a bad-checksum and a revoked token,
 * then the valid token again at 1 000 and at BENCH_MAX_TOKENS stored tokens.
 *
 * Environment (all optional):
 *   DATABASE_URL       a PostgreSQL server to use (a fresh database is created on it and dropped
 *                      afterwards; the role needs CREATEDB); default: embedded, in a temp dir
 *   BENCH_DURATION     seconds measured per scenario [10]
 *   BENCH_WARMUP       seconds of warm-up load before each scenario [2]
 *   BENCH_CONNECTIONS  concurrent connections [50]
 *   BENCH_MAX_TOKENS   stored tokens for the last scenario [1000000]
 *   BENCH_IDLE_SECONDS window of the idle measurement (database transactions of an idle
 *                      instance, before any load; 0 skips it) [30]
 *   LOG_LEVEL          the server's log level, to stderr [warn]
 * e.g. `BENCH_DURATION=3 BENCH_MAX_TOKENS=100000 npm run bench`.
 *
 * Prints one table on stdout (progress goes to stderr) and writes the same as JSON to
 * bench/results/latest.json and bench/results/<timestamp>.json. Exits 0 when every target was
 * met, 2 when the run completed but missed one (marked MISS in the table), 1 on a harness error.
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminSession, probe } from './api-client';
import { provisionDatabase } from './database';
import { measureIdleTransactions } from './idle';
import { killLoadProcesses, runLoad } from './load-runner';
import { startRawFastify } from './raw-fastify';
import { BenchReport, machineInfo, renderReport, saveReport, ScenarioResult } from './report';
import { TokenSeeder } from './seed';
import { ADMIN_EMAIL, ADMIN_PASSWORD, BenchServer, startServer } from './server';
import { evaluate } from './targets';

interface ScenarioSpec {
  id: string;
  label: string;
  path: string;
  headers: Record<string, string>;
  expectedStatus: number;
}

type Settings = BenchReport['settings'];

function numberFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}`);
  return value;
}

function readSettings(): Settings {
  return {
    connections: Math.round(numberFromEnv('BENCH_CONNECTIONS', 50, 1)),
    pipelining: 1,
    durationSeconds: numberFromEnv('BENCH_DURATION', 10, 1),
    warmupSeconds: numberFromEnv('BENCH_WARMUP', 2, 0),
    maxTokens: Math.round(numberFromEnv('BENCH_MAX_TOKENS', 1_000_000, 1)),
    idleSeconds: numberFromEnv('BENCH_IDLE_SECONDS', 30, 0),
  };
}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Cleanup steps, run newest first, once, even after Ctrl-C. */
class Cleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];
  private running?: Promise<void>;

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      killLoadProcesses();
      for (const step of this.steps.reverse()) {
        await step().catch((error: unknown) => progress(`cleanup step failed: ${String(error)}`));
      }
    })();
    return this.running;
  }
}

async function measure(
  spec: ScenarioSpec,
  server: Pick<BenchServer, 'baseUrl' | 'counters'>,
  seeder: TokenSeeder,
  settings: Settings,
): Promise<ScenarioResult> {
  const url = server.baseUrl + spec.path;
  const load = {
    url,
    headers: spec.headers,
    connections: settings.connections,
    pipelining: settings.pipelining,
  };
  const probeStatus = await probe(url, spec.headers);
  const storedTokens = await seeder.storedTokens();
  if (settings.warmupSeconds > 0) {
    progress(`${spec.id}: warm-up ${settings.warmupSeconds} s`);
    await runLoad({ ...load, durationSeconds: settings.warmupSeconds }, server.counters);
  }
  progress(`${spec.id}: measuring ${settings.durationSeconds} s`);
  const measured = await runLoad(
    { ...load, durationSeconds: settings.durationSeconds },
    server.counters,
  );
  const { load: result, sqlStatements, lastUsedWrites, windowSeconds, cpuMicros } = measured;
  const perRequest = (count: number) => (result.requests > 0 ? count / result.requests : 0);
  return {
    ...spec,
    storedTokens,
    probeStatus,
    requests: result.requests,
    requestsPerSecond: result.requestsPerSecond,
    latencyP50Ms: result.latencyP50Ms,
    latencyP99Ms: result.latencyP99Ms,
    non2xx: result.non2xx,
    statusCodes: result.statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    windowSeconds,
    sqlStatements,
    sqlPerRequest: perRequest(sqlStatements),
    // The counter is request-scoped: last-used flushes and the mail worker are not in it.
    hotPathSqlPerRequest: perRequest(sqlStatements),
    lastUsedWrites,
    lastUsedWritesPerSecond: windowSeconds > 0 ? lastUsedWrites / windowSeconds : 0,
    cpuMicrosPerRequest: perRequest(cpuMicros),
  };
}

/** Corrupts the last checksum character: still well-shaped, but the checksum is wrong. */
function withBadChecksum(token: string): string {
  return token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
}

async function benchmark(settings: Settings, cleanup: Cleanup): Promise<BenchReport> {
  const timestamp = new Date().toISOString();
  const dataDir = await mkdtemp(join(tmpdir(), 'keyhold-bench-data-'));
  cleanup.add(() => rm(dataDir, { recursive: true, force: true }));
  progress('preparing the database');
  const database = await provisionDatabase();
  cleanup.add(() => database.dispose());
  const server = await startServer(database.url, dataDir);
  cleanup.add(() => server.close());
  const seeder = await TokenSeeder.connect(database.url);
  cleanup.add(() => seeder.close());
  progress(`server on ${server.baseUrl}`);

  let idle: BenchReport['idle'];
  if (settings.idleSeconds > 0) {
    progress(`idle: counting database transactions for ${settings.idleSeconds} s`);
    idle = await measureIdleTransactions(database.url, settings.idleSeconds);
  }
  const admin = await AdminSession.login(server.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
  const valid = await admin.createToken('bench valid');
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const me = (id: string, label: string, token: string, expectedStatus = 200): ScenarioSpec => ({
    id,
    label,
    path: '/api/v1/me',
    headers: bearer(token),
    expectedStatus,
  });
  const scenarios: ScenarioResult[] = [];
  const seeding: BenchReport['seeding'] = [];
  const run = async (
    spec: ScenarioSpec,
    target: Pick<BenchServer, 'baseUrl' | 'counters'> = server,
  ) => {
    scenarios.push(await measure(spec, target, seeder, settings));
  };
  const seedTo = async (total: number) => {
    progress(`seeding api_token to ${total} rows`);
    const seconds = await seeder.seedTo(total);
    seeding.push({ storedTokens: total, seconds: Math.round(seconds * 10) / 10 });
    progress(`seeded in ${seconds.toFixed(1)} s`);
  };

  const raw = await startRawFastify();
  cleanup.add(() => raw.close());
  await run(
    {
      id: 'raw-fastify',
      label: 'raw Fastify hello (the limit)',
      path: '/hello',
      headers: {},
      expectedStatus: 200,
    },
    raw,
  );
  await raw.close();
  await run({
    id: 'health',
    label: 'GET /health/live (no auth)',
    path: '/health/live',
    headers: {},
    expectedStatus: 200,
  });
  await run(me('me-valid', 'GET /api/v1/me valid token', valid.token));
  await run(me('me-bad-checksum', 'me, bad-checksum token', withBadChecksum(valid.token), 401));
  const revoked = await admin.createToken('bench revoked');
  // Used once first, so that a caching verifier holds it when the revocation comes.
  await probe(server.baseUrl + '/api/v1/me', bearer(revoked.token));
  await admin.revokeToken(revoked.id);
  await run(me('me-revoked', 'me, revoked token', revoked.token, 401));
  await seedTo(1000);
  await run(me('me-valid-1k', 'me, valid token', valid.token));
  if (settings.maxTokens > 1000) {
    await seedTo(settings.maxTokens);
    await run(me('me-valid-max', 'me, valid token', valid.token));
  }
  return {
    timestamp,
    machine: machineInfo(),
    database: { source: database.source, version: database.serverVersion },
    settings,
    seeding,
    scenarios,
    idle,
    ...evaluate(scenarios),
  };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: cleaning up`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  try {
    const report = await benchmark(settings, cleanup);
    await cleanup.run();
    console.log(renderReport(report));
    const paths = await saveReport(report);
    console.log(`\nSaved ${paths.join(' and ')}`);
    const missed = report.targets.filter((target) => !target.met);
    if (missed.length > 0) {
      console.log(`\n${missed.length} target(s) MISSED (exit code 2).`);
      process.exitCode = 2;
    }
  } finally {
    await cleanup.run();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(
      `bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
