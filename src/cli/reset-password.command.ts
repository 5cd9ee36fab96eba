import { randomSecret } from '../common/crypto';
import { parseArgs } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { PasswordService } from '../auth/password.service';
import { cliRequestMeta } from './cli-request-meta';
import { processSecretInput } from './secret-input';
import { UsageError } from './usage-error';

/**
 * `user:reset-password --email <email> [--password-stdin]`: an operator's reset (a lost bootstrap
 * password has no other recovery). The password is never an argument, where it would sit in
 * the shell history and the process list: the first line of stdin, or a generated one printed
 * once. Every session of the user ends; the owner is told by mail (sent by a running server).
 */
export async function userResetPassword(
  app: INestApplicationContext,
  args: string[],
  input: () => Promise<string> = processSecretInput.readStdin,
): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } },
  });
  const email = values.email?.trim();
  if (!email) throw new UsageError('--email is required');
  const supplied = values['password-stdin'] ? (await input()).split(/\r?\n/)[0] : undefined;
  if (supplied === '') throw new UsageError('--password-stdin: stdin held no password');
  const password = supplied ?? randomSecret(18);
  const member = await app.get(PasswordService).reset(email, password, cliRequestMeta());
  return {
    action: 'user:reset-password',
    user: { id: member.user.id, email: member.user.email },
    sessionsEnded: true,
    ...(supplied === undefined ? { generatedPassword: password } : {}),
  };
}
