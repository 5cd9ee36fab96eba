import { Writable } from 'node:stream';
import { createRootLogger, NestPinoLogger } from './logger';
import { logDestination } from './pretty';

function sink(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  stream.text = '';
  stream.isTTY = isTTY;
  return stream;
}

describe('development logs', () => {
  it('are pretty only in development on a terminal; JSON otherwise', () => {
    const terminal = sink(true);
    const logger = createRootLogger('info', logDestination({ env: 'development' }, terminal));
    logger.info({ context: 'MailWorker' }, 'hello');
    expect(terminal.text).toMatch(/INFO.*\[MailWorker\] hello/);
    expect(() => JSON.parse(terminal.text) as unknown).toThrow();
    expect(logDestination({ env: 'development' }, sink(false))).toBeUndefined();
    expect(logDestination({ env: 'production' }, sink(true))).toBeUndefined();
  });

  it('round responseTime and keep Nest start-up chatter out of info', () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => lines.push(line) };
    const logger = createRootLogger('info', destination);
    logger.info({ responseTime: 1.23456789012345 }, 'request completed');
    const nest = new NestPinoLogger(logger);
    nest.log('Mapped {/api/v1/me, GET} route', 'RouterExplorer');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mail delivery: SMTP', 'MailWorker');
    const parsed = lines.map((line) => JSON.parse(line) as { msg: string; responseTime?: number });
    expect(parsed.map((line) => line.msg)).toEqual(['request completed', 'Mail delivery: SMTP']);
    expect(parsed[0].responseTime).toBe(1.2);
  });
});
