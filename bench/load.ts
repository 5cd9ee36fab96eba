/**
 * The load generator's own process (forked by load-runner.ts), so that autocannon never shares
 * the server's event loop. Takes a LoadConfig as JSON in argv[2]; reports over IPC.
 */
import autocannon from 'autocannon';
import type { LoadConfig, LoadMessage, LoadSummary } from './load-protocol';

function send(message: LoadMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) throw new Error('load.ts must be forked with an IPC channel');
    process.send(message, undefined, {}, () => resolve());
  });
}

function summarise(result: autocannon.Result): LoadSummary {
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.mean,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.mean,
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
  };
}

const config = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
const instance = autocannon(
  {
    url: config.url,
    headers: config.headers,
    connections: config.connections,
    pipelining: config.pipelining,
    duration: config.durationSeconds,
  },
  (error: unknown, result: autocannon.Result) => {
    const message: LoadMessage = error
      ? { kind: 'failed', error: error instanceof Error ? error.message : JSON.stringify(error) }
      : { kind: 'result', summary: summarise(result) };
    void send(message).then(() => process.disconnect());
  },
);
instance.on('start', () => void send({ kind: 'started' }));
