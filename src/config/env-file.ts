import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads `.env` from the working directory into process.env when there is one (SPEC §8); a
 * variable already set in the real environment wins. Returns the file read, if any.
 */
export function loadEnvFile(cwd: string = process.cwd()): string | undefined {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return undefined;
  process.loadEnvFile(path);
  return path;
}
