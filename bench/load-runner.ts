import { ChildProcess, fork } from 'node:child_process';
import { extname, join } from 'node:path';
import { isLoadMessage, LoadConfig, LoadSummary } from './load-protocol';
import type { ServerCounters } from './server';

export interface Measurement {
  load: LoadSummary;
  /** Counter deltas between the load's start and its result. */
  sqlStatements: number;
  lastUsedWrites: number;
  /** Server-process CPU over the window, in microseconds. */
  cpuMicros: number;
  windowSeconds: number;
}

const running = new Set<ChildProcess>();

/** Stops any load process still running (on Ctrl-C or a harness error). */
export function killLoadProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

function forkLoad(config: LoadConfig): ChildProcess {
  const extension = extname(__filename);
  return fork(join(__dirname, `load${extension}`), [JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Run from source under ts-node too (`ts-node bench/run.ts`).
    execArgv: extension === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [],
  });
}

/**
 * Runs autocannon in its own process and reads the server's counters when the load starts and
 * when its result arrives, so the deltas cover the measured window only.
 */
export function runLoad(config: LoadConfig, counters: () => ServerCounters): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = forkLoad(config);
    running.add(child);
    let before: ServerCounters | undefined;
    let startedAt = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome();
    };
    const deadline = setTimeout(
      () => {
        child.kill('SIGKILL');
        finish(() => reject(new Error(`load process did not finish: ${config.url}`)));
      },
      (config.durationSeconds + 60) * 1000,
    );
    child.on('message', (message: unknown) => {
      if (!isLoadMessage(message)) return;
      if (message.kind === 'started') {
        before = counters();
        startedAt = performance.now();
      } else if (message.kind === 'failed') {
        finish(() => reject(new Error(`autocannon failed: ${message.error}`)));
      } else if (!before) {
        finish(() => reject(new Error('the load process sent its result but never started')));
      } else {
        const after = counters();
        const start = before;
        finish(() =>
          resolve({
            load: message.summary,
            sqlStatements: after.sqlStatements - start.sqlStatements,
            lastUsedWrites: after.lastUsedWrites - start.lastUsedWrites,
            cpuMicros: after.cpuMicros - start.cpuMicros,
            windowSeconds: (performance.now() - startedAt) / 1000,
          }),
        );
      }
    });
    child.on('error', (error) => finish(() => reject(error)));
    child.on('exit', (code, signal) => {
      running.delete(child);
      finish(() =>
        reject(new Error(`load process exited (${signal ?? code}) before its result arrived`)),
      );
    });
  });
}
