import Fastify from 'fastify';
import type { ServerCounters } from './server';

export interface RawServer {
  baseUrl: string;
  counters(): ServerCounters;
  close(): Promise<void>;
}

/**
 * The limit of this stack on this machine (SPEC §10): Fastify's own hello-world, in the same
 * process as Keyhold's server (same Node, same process model), under the same load.
 */
export async function startRawFastify(): Promise<RawServer> {
  const app = Fastify({ logger: false });
  app.get('/hello', () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    counters: () => ({ sqlStatements: 0, lastUsedWrites: 0, cpuMicros: processCpuMicros() }),
    close: () => (closing ??= app.close()),
  };
}

/** User + system CPU time of this process (the servers' process), in microseconds. */
export function processCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
