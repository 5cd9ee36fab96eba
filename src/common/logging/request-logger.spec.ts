import { Writable } from 'node:stream';
import pino from 'pino';
import { lazyRequestLogger } from './request-logger';

function rootAt(level: string): { root: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { root: pino({ level }, sink), lines };
}

const make = (root: pino.Logger, level?: string) =>
  lazyRequestLogger.call(
    undefined as never,
    root,
    { reqId: 'r-1' },
    level === undefined ? {} : { level },
    undefined as never,
  );

describe('the lazy per-request logger', () => {
  it('logs with the request binding at enabled levels, whatever level Fastify passes', () => {
    for (const level of [undefined, '', 'info']) {
      const { root, lines } = rootAt('info');
      make(root, level).info({ res: { statusCode: 200 } }, 'request completed');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ reqId: 'r-1', msg: 'request completed' });
    }
  });

  it('makes no pino child while nothing is logged above the level', () => {
    const { root, lines } = rootAt('warn');
    const child = jest.spyOn(root, 'child');
    const logger = make(root, 'warn');
    logger.info('incoming request');
    logger.debug('detail');
    expect(child).not.toHaveBeenCalled();
    logger.warn('slow');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toHaveLength(1);
    expect(logger.level).toBe('warn');
  });
});
