import type { IdleResult } from './idle';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

export interface ScenarioResult {
  id: string;
  label: string;
  path: string;
  storedTokens: number;
  expectedStatus: number;
  /** The status of one request sent just before the load. */
  probeStatus: number;
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  windowSeconds: number;
  sqlStatements: number;
  sqlPerRequest: number;
  /** Statements other than the batched last-used writes, per request. */
  hotPathSqlPerRequest: number;
  lastUsedWrites: number;
  lastUsedWritesPerSecond: number;
  /** Server-process CPU (process.cpuUsage) over the window, per request, in microseconds. */
  cpuMicrosPerRequest: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchReport {
  timestamp: string;
  machine: { cpu: string; cores: number; totalMemoryGiB: number; node: string; os: string };
  database: { source: string; version: string };
  settings: {
    connections: number;
    pipelining: number;
    durationSeconds: number;
    warmupSeconds: number;
    maxTokens: number;
    idleSeconds: number;
  };
  /** Database transactions of the idle instance (bench/idle.ts), before any load. */
  idle?: IdleResult;
  seeding: { storedTokens: number; seconds: number }[];
  scenarios: ScenarioResult[];
  ratios: {
    meValidOverHealth: number | null;
    largeOverSmallTokens: number | null;
    healthCpuOverRaw: number | null;
    meCpuOverRaw: number | null;
  };
  targets: TargetCheck[];
}

export function machineInfo(): BenchReport['machine'] {
  const cores = cpus();
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    totalMemoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  // The first column is text (left-aligned); the rest are numbers (right-aligned).
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)]
    .join('\n')
    .trimEnd();
}

export function renderReport(report: BenchReport): string {
  const { machine, settings, ratios } = report;
  const header = [
    'scenario',
    'stored tokens',
    'req/s',
    'CPU µs/req',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'SQL/req',
    'last-used writes/s',
  ];
  const rows = report.scenarios.map((s) => [
    s.label,
    String(s.storedTokens),
    fixed(s.requestsPerSecond, 0),
    fixed(s.cpuMicrosPerRequest, 1),
    fixed(s.latencyP50Ms, 2),
    fixed(s.latencyP99Ms, 2),
    String(s.non2xx) + (s.expectedStatus === 200 ? '' : ` (${s.expectedStatus} expected)`),
    fixed(s.sqlPerRequest, 3),
    fixed(s.lastUsedWritesPerSecond, 2),
  ]);
  const ratio = (value: number | null) => (value === null ? 'n/a' : value.toFixed(3));
  const notes = report.scenarios
    .filter((s) => s.errors > 0 || s.timeouts > 0)
    .map((s) => `  ${s.label}: ${s.errors} connection errors, ${s.timeouts} timeouts`);
  return [
    `Keyhold benchmark, ${report.timestamp}`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.totalMemoryGiB} GiB, Node ${machine.node}, ${machine.os}`,
    `Database: ${report.database.version.split(',')[0]} (${report.database.source})`,
    `Load: autocannon in its own process, ${settings.connections} connections, pipelining ${settings.pipelining}, ` +
      `${settings.durationSeconds} s per scenario after a ${settings.warmupSeconds} s warm-up`,
    '',
    table([header, ...rows]),
    '',
    `server CPU per request, health / raw Fastify hello: ${ratio(ratios.healthCpuOverRaw)} (target <= 1.5)`,
    `server CPU per request, me (cached token) / raw Fastify hello: ${ratio(ratios.meCpuOverRaw)} (target <= 3)`,
    `me-valid req/s / health req/s: ${ratio(ratios.meValidOverHealth)} (target >= 0.85)`,
    ...(ratios.largeOverSmallTokens === null
      ? []
      : [
          `${settings.maxTokens} tokens / 1000 tokens req/s: ${ratio(ratios.largeOverSmallTokens)} (target: same within noise)`,
        ]),
    ...(report.idle
      ? [
          `Idle instance: ${report.idle.transactions} database transactions in ${report.idle.seconds} s = ` +
            `${report.idle.perSecond.toFixed(3)}/s (target <= 0.2/s, one every 5 s)`,
        ]
      : []),
    '',
    'Targets (SPEC section 10):',
    ...report.targets.map((t) => `  [${t.met ? ' ok ' : 'MISS'}] ${t.target}: ${t.measured}`),
    ...(notes.length > 0 ? ['', 'Load errors:', ...notes] : []),
  ].join('\n');
}

/** The repository root (where package.json is), from either bench/ or dist/bench/. */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Writes bench/results/latest.json and bench/results/<timestamp>.json; returns their paths. */
export async function saveReport(report: BenchReport): Promise<string[]> {
  const dir = join(repositoryRoot(), 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const paths = [
    join(dir, 'latest.json'),
    join(dir, `${report.timestamp.replace(/[:.]/g, '-')}.json`),
  ];
  for (const path of paths) await writeFile(path, json);
  return paths;
}
