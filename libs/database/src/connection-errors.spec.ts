import { describeConnectionError, isDatabaseUnavailable, redactUrl } from './connection-errors';

describe('connection errors', () => {
  it('hides the password of a URL', () => {
    expect(redactUrl('postgresql://hangar:s3cret@db:5432/hangar')).toBe('postgresql://hangar:***@db:5432/hangar');
    expect(redactUrl('::')).toBe('<unparsable url>');
  });

  it('describes a refused connection by its socket code', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('driver failed', { cause: socket });
    expect(describeConnectionError(wrapped)).toBe('ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1');
  });

  it('takes the driver reason out of a Prisma error', () => {
    const prisma = new Error(
      "\nInvalid `prisma.$queryRawUnsafe()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:1`",
    );
    expect(describeConnectionError(prisma)).toBe("Can't reach database server at 127.0.0.1:1");
    expect(isDatabaseUnavailable(Object.assign(prisma, { code: 'P2010' }))).toBe(true);
  });

  it('tells an unreachable database from a bad query', () => {
    expect(isDatabaseUnavailable({ code: 'P1001' })).toBe(true);
    expect(isDatabaseUnavailable(new Error('x', { cause: { kind: 'DatabaseNotReachable' } }))).toBe(true);
    expect(isDatabaseUnavailable({ originalCode: '57P01' })).toBe(true);
    expect(isDatabaseUnavailable({ code: 'P2002' })).toBe(false);
    expect(isDatabaseUnavailable(new Error('syntax error'))).toBe(false);
  });
});
