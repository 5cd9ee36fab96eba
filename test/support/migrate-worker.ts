import { createInterface } from 'node:readline';
import { runMigrations } from '../../src/database/migrate';

/**
 * A separate process that migrates the database named on each stdin line and answers one line
 * per request ("ok <applied count>" or "error <message>"); loaded once, so that two of them can
 * be told to migrate at the very same moment.
 */
const lines = createInterface({ input: process.stdin });
lines.on('line', (url) => {
  runMigrations(url).then(
    (applied) => process.stdout.write(`ok ${applied.length}\n`),
    (error: unknown) =>
      process.stdout.write(
        `error ${String(error instanceof Error ? error.message : error).split('\n')[0]}\n`,
      ),
  );
});
process.stdout.write('loaded\n');
