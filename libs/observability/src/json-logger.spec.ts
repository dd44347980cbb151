import { JsonLogger, type JsonLogLevel } from './json-logger';
import { runWithLogContext } from './request-context';

function capture(minimum: JsonLogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const logger = new JsonLogger('api', minimum, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { logger, lines };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with the request id of the current context', () => {
    const { logger, lines } = capture();
    runWithLogContext({ requestId: 'req-1' }, () => logger.log('hello', 'UploadsService'));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', app: 'api', context: 'UploadsService', requestId: 'req-1', msg: 'hello' }),
    ]);
  });

  it('keeps errors stacks and drops lines under the minimum level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('noise');
    logger.error('boom', 'Error: boom\n    at x', 'Filter');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'boom', stack: 'Error: boom\n    at x', context: 'Filter' });
  });

  it('never writes secrets given as fields', () => {
    const { logger, lines } = capture();
    logger.log({ msg: 'seeded', token: 'CFPAT-secret', authorization: 'Bearer x', userId: 'u1' });
    expect(lines[0]).toMatchObject({ token: '[redacted]', authorization: '[redacted]', userId: 'u1' });
    expect(JSON.stringify(lines)).not.toContain('CFPAT-secret');
  });
});
