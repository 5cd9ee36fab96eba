import { UsageError } from './usage-error';

/** Where a CLI command may read a secret from: never its arguments (process list, history). */
export interface SecretInput {
  env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export const processSecretInput: SecretInput = {
  env: process.env,
  readStdin: () => readAll(process.stdin),
};

/**
 * A secret option: `--flag -` reads it from stdin (one line), else the environment variable
 * names it; a literal value on the command line is refused.
 */
export async function secretOption(
  given: string | undefined,
  flag: string,
  envName: string,
  input: SecretInput,
): Promise<string | undefined> {
  if (given !== undefined && given !== '-') {
    throw new UsageError(
      `--${flag} takes "-" (read it from stdin) or set ${envName}: secrets are never taken ` +
        'from the command line, where the process list and shell history would show them',
    );
  }
  if (given === '-') {
    const text = (await input.readStdin()).replace(/\r?\n$/, '');
    if (text === '') throw new UsageError(`--${flag} -: nothing was read from stdin`);
    return text;
  }
  const fromEnv = input.env[envName];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}
