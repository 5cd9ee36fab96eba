import type { BenchReport, ScenarioResult, TargetCheck } from './report';

/** "Same throughput within noise" for 1k vs 1M tokens: at most this much slower. */
const SAME_WITHIN_NOISE = 0.95;
/** SPEC §10: server CPU per request against the raw Fastify hello-world. */
const HEALTH_CPU_OVER_RAW = 1.5;
const ME_CPU_OVER_RAW = 3;
/** Statements per request a steady hot path may still show (cache refreshes after the TTL). */
const HOT_PATH_SQL_PER_REQUEST = 0.001;
const VALID_TOKEN = ['me-valid', 'me-valid-1k', 'me-valid-max'];

const divide = (a?: ScenarioResult, b?: ScenarioResult) =>
  a && b && b.requestsPerSecond > 0 ? a.requestsPerSecond / b.requestsPerSecond : null;
const cpuRatio = (a?: ScenarioResult, b?: ScenarioResult) =>
  a && b && b.cpuMicrosPerRequest > 0 ? a.cpuMicrosPerRequest / b.cpuMicrosPerRequest : null;

/** The ratios and the SPEC §10 checks, from the measured scenarios. */
export function evaluate(scenarios: ScenarioResult[]): Pick<BenchReport, 'ratios' | 'targets'> {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const ratios = {
    meValidOverHealth: divide(byId.get('me-valid'), byId.get('health')),
    largeOverSmallTokens: divide(byId.get('me-valid-max'), byId.get('me-valid-1k')),
    healthCpuOverRaw: cpuRatio(byId.get('health'), byId.get('raw-fastify')),
    meCpuOverRaw: cpuRatio(byId.get('me-valid'), byId.get('raw-fastify')),
  };
  const targets: TargetCheck[] = [];
  for (const [name, value, limit] of [
    ['GET /health/live', ratios.healthCpuOverRaw, HEALTH_CPU_OVER_RAW],
    ['GET /api/v1/me with a cached token', ratios.meCpuOverRaw, ME_CPU_OVER_RAW],
  ] as const) {
    if (value === null) continue;
    targets.push({
      target: `${name}: server CPU per request <= ${limit} x the raw Fastify hello's`,
      measured: `${value.toFixed(2)} x`,
      met: value <= limit,
    });
  }
  if (ratios.meValidOverHealth !== null) {
    targets.push({
      target: 'token GET /api/v1/me >= 0.85 x GET /health/live throughput',
      measured: ratios.meValidOverHealth.toFixed(3),
      met: ratios.meValidOverHealth >= 0.85,
    });
  }
  const valid = scenarios.filter((s) => VALID_TOKEN.includes(s.id));
  if (valid.length > 0) {
    const worst = Math.max(...valid.map((s) => s.hotPathSqlPerRequest));
    targets.push({
      target:
        'valid token: 0 SQL on the hot path at steady state (SQL sent while serving requests)',
      measured: `${worst.toFixed(4)} statements/request at worst (${valid
        .map((s) => `${s.id}: ${s.sqlStatements}`)
        .join(', ')} statements)`,
      met: worst <= HOT_PATH_SQL_PER_REQUEST,
    });
  }
  const badChecksum = byId.get('me-bad-checksum');
  if (badChecksum) {
    targets.push({
      target: 'bad-checksum token: no database round trip',
      measured: `${badChecksum.sqlStatements} statements in ${badChecksum.requests} requests`,
      met: badChecksum.hotPathSqlPerRequest <= HOT_PATH_SQL_PER_REQUEST,
    });
  }
  const lastUsed = scenarios.filter((s) => s.lastUsedWrites > 0);
  // An interval timer may fire floor(window) + 1 times in a window of that length.
  targets.push({
    target: 'last-used: at most one batched write per second',
    measured:
      lastUsed
        .map((s) => `${s.id}: ${s.lastUsedWrites} in ${s.windowSeconds.toFixed(1)} s`)
        .join(', ') || 'no writes',
    met: lastUsed.every((s) => s.lastUsedWrites <= Math.floor(s.windowSeconds) + 1),
  });
  if (ratios.largeOverSmallTokens !== null) {
    targets.push({
      target: `throughput does not fall with stored tokens (max/1k >= ${SAME_WITHIN_NOISE})`,
      measured: ratios.largeOverSmallTokens.toFixed(3),
      met: ratios.largeOverSmallTokens >= SAME_WITHIN_NOISE,
    });
  }
  const unexpected = scenarios.filter(
    (s) =>
      s.probeStatus !== s.expectedStatus ||
      (s.statusCodes[String(s.expectedStatus)] ?? 0) !== s.requests,
  );
  targets.push({
    target: 'every response has the scenario status (200 valid / 401 bad, revoked)',
    measured:
      unexpected
        .map((s) => `${s.id}: probe ${s.probeStatus}, ${JSON.stringify(s.statusCodes)}`)
        .join('; ') || 'all as expected',
    met: unexpected.length === 0,
  });
  return { ratios, targets };
}
