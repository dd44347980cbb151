import { PrettyLogger } from './pretty-logger';
import { runWithLogContext } from './request-context';
import type { LogLevel } from './structured-logger';

const REQUEST_ID = '1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d';
const ESC = '\x1b';

function capture({ minimum = 'debug', terminal = () => false }: { minimum?: LogLevel; terminal?: (level: LogLevel) => boolean } = {}) {
  const texts: string[] = [];
  const logger = new PrettyLogger('api', minimum, { write: (text) => texts.push(text), isTerminal: terminal });
  return { logger, texts };
}

describe('PrettyLogger', () => {
  beforeEach(() => {
    // Local time, as the line shows it.
    jest.useFakeTimers({ now: new Date(2026, 10, 22, 12, 3, 4, 123) });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('writes time, level, app, context, short request id, message and fields on one line', () => {
    const { logger, texts } = capture();
    runWithLogContext({ requestId: REQUEST_ID }, () =>
      logger.log({ msg: 'request', requestId: REQUEST_ID, method: 'GET', path: '/health', status: 200, ms: 1.234567 }, 'Http'),
    );
    expect(texts).toEqual(['12:03:04.123 INFO  api Http [req 1a2b3c4d] request method=GET path=/health status=200 ms=1.23']);
  });

  it('shows job ids and ids that are not UUIDs in full, and other context fields as fields', () => {
    const { logger, texts } = capture();
    runWithLogContext({ jobId: 'asset/sp1/master/a1/en-US/3' }, () => logger.warn('retrying', 'AssetFileProcessor'));
    runWithLogContext({ requestId: 'proxy-0042-abcdef', tenant: 't1' }, () => logger.debug('forwarded'));
    expect(texts).toEqual([
      '12:03:04.123 WARN  api AssetFileProcessor [job asset/sp1/master/a1/en-US/3] retrying',
      '12:03:04.123 DEBUG api [req proxy-0042-abcdef] forwarded tenant=t1',
    ]);
  });

  it('quotes values that would not read back bare, and writes structured values as JSON', () => {
    const { logger, texts } = capture();
    logger.log({
      msg: 'created',
      name: 'My space',
      empty: '',
      quote: 'a"b',
      equals: 'a=b',
      details: { width: 10, tags: ['x'] },
      size: 1_048_576,
      ratio: 0.012345,
      seconds: 1234.56,
      ok: true,
      previous: null,
      missing: undefined,
      cause: new Error('socket hang up'),
    });
    expect(texts[0]).toBe(
      '12:03:04.123 INFO  api created name="My space" empty="" quote="a\\"b" equals="a=b" details={"width":10,"tags":["x"]} ' +
        'size=1048576 ratio=0.0123 seconds=1235 ok=true previous=null cause="socket hang up"',
    );
  });

  it('writes a message or stack that is not a string as a value instead of failing', () => {
    const { logger, texts } = capture();
    logger.warn({ msg: { code: 7 }, stack: ['a', 'b'] });
    expect(texts).toEqual(['12:03:04.123 WARN  api {"code":7} stack=["a","b"]']);
  });

  it('never writes secrets given as fields', () => {
    const { logger, texts } = capture();
    logger.log(
      { msg: 'seeded', token: 'CFPAT-secret', authorization: 'Bearer x', userId: 'u1' },
      { S3_SECRET_KEY: 'hunter2' },
      'AdminSeed',
    );
    expect(texts).toEqual([
      '12:03:04.123 INFO  api AdminSeed seeded token=[redacted] authorization=[redacted] userId=u1 S3_SECRET_KEY=[redacted]',
    ]);
    expect(texts.join('\n')).not.toMatch(/CFPAT-secret|Bearer x|hunter2/);
  });

  it("writes an error's stack on the following lines, indented", () => {
    const { logger, texts } = capture();
    logger.error('boom', 'Error: boom\n    at handler (/app/x.js:1:2)', 'ExceptionFilter');
    const error = new Error('disk full');
    error.stack = 'Error: disk full\n    at write (/app/y.js:3:4)';
    logger.error(error);
    expect(texts).toEqual([
      '12:03:04.123 ERROR api ExceptionFilter boom\n    Error: boom\n        at handler (/app/x.js:1:2)',
      '12:03:04.123 ERROR api disk full\n    Error: disk full\n        at write (/app/y.js:3:4)',
    ]);
  });

  it('colours the level, and only the level, when the stream it goes to is a terminal', () => {
    // stderr (errors) a terminal, stdout piped.
    const { logger, texts } = capture({ terminal: (level) => level === 'error' });
    logger.error('boom', 'Error: boom\n    at x', 'Filter');
    logger.log('hello', 'Main');
    expect(texts).toEqual([
      `12:03:04.123 ${ESC}[31mERROR${ESC}[0m api Filter boom\n    Error: boom\n        at x`,
      '12:03:04.123 INFO  api Main hello',
    ]);

    const everywhere = capture({ terminal: () => true });
    everywhere.logger.log('hello', 'Main');
    everywhere.logger.warn('careful', 'Main');
    everywhere.logger.debug('details', 'Main');
    expect(everywhere.texts).toEqual([
      `12:03:04.123 ${ESC}[32mINFO${ESC}[0m  api Main hello`,
      `12:03:04.123 ${ESC}[33mWARN${ESC}[0m  api Main careful`,
      `12:03:04.123 ${ESC}[90mDEBUG${ESC}[0m api Main details`,
    ]);
  });

  it('drops entries under the minimum level', () => {
    const { logger, texts } = capture({ minimum: 'warn' });
    logger.log('hello');
    logger.debug('noise');
    logger.warn('careful');
    expect(texts).toEqual(['12:03:04.123 WARN  api careful']);
  });
});
