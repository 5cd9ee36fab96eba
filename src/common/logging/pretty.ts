import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../../config/app-config';

/**
 * Human-readable logs in development on a terminal (SPEC §8); JSON everywhere else (undefined:
 * pino's default stdout), so production, pipes and log collectors always get one JSON per line.
 */
export function logDestination(
  config: Pick<AppConfig, 'env'>,
  stream: NodeJS.WriteStream = process.stdout,
): DestinationStream | undefined {
  if (config.env !== 'development' || !stream.isTTY) return undefined;
  return pretty({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    destination: stream,
    sync: true,
  });
}
