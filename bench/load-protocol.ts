/** What the parent asks the load process for (JSON in argv[2]). */
export interface LoadConfig {
  url: string;
  headers: Record<string, string>;
  connections: number;
  pipelining: number;
  durationSeconds: number;
}

/** The part of autocannon's result the report uses. */
export interface LoadSummary {
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  durationSeconds: number;
}

/** IPC messages from the load process: `started` marks the start of the measured window. */
export type LoadMessage =
  | { kind: 'started' }
  | { kind: 'result'; summary: LoadSummary }
  | { kind: 'failed'; error: string };

export function isLoadMessage(value: unknown): value is LoadMessage {
  if (!value || typeof value !== 'object' || !('kind' in value)) return false;
  const { kind } = value;
  return kind === 'started' || kind === 'result' || kind === 'failed';
}
