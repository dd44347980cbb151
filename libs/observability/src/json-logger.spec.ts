import { JsonLogger } from './json-logger';
import { runWithLogContext } from './request-context';
import type { LogLevel } from './structured-logger';

function capture(minimum: LogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const written: LogLevel[] = [];
  // A terminal on every stream: JSON lines stay plain JSON all the same.
  const logger = new JsonLogger('api', minimum, {
    write: (text, level) => {
      lines.push(JSON.parse(text) as Record<string, unknown>);
      written.push(level);
    },
    isTerminal: () => true,
  });
  return { logger, lines, written };
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
    const { logger, lines, written } = capture('warn');
    logger.debug('noise');
    logger.error('boom', 'Error: boom\n    at x', 'Filter');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'boom', stack: 'Error: boom\n    at x', context: 'Filter' });
    expect(written).toEqual(['error']);
  });

  it('never writes secrets given as fields', () => {
    const { logger, lines } = capture();
    logger.log({ msg: 'seeded', token: 'CFPAT-secret', authorization: 'Bearer x', userId: 'u1' });
    expect(lines[0]).toMatchObject({ token: '[redacted]', authorization: '[redacted]', userId: 'u1' });
    expect(JSON.stringify(lines)).not.toContain('CFPAT-secret');
  });

  it("writes Nest's module and route wiring at debug level, its other start-up lines at info", () => {
    const { logger, lines } = capture('info');
    logger.log('Starting Nest application...', 'NestFactory');
    logger.log('ApiModule dependencies initialized', 'InstanceLoader');
    logger.log('HealthController {/health}:', 'RoutesResolver');
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.warn('a warning from the wiring stays a warning', 'InstanceLoader');
    expect(lines.map((line) => [line.level, line.context])).toEqual([
      ['info', 'NestFactory'],
      ['warn', 'InstanceLoader'],
    ]);

    const verbose = capture('debug');
    verbose.logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    expect(verbose.lines).toEqual([expect.objectContaining({ level: 'debug', msg: 'Mapped {/health, GET} route' })]);
  });
});
