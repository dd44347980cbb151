import { type ArgumentsHost, BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { HangarError } from '@hangar/domain';
import { ContentfulExceptionFilter } from './contentful-exception.filter';

interface Captured {
  status?: number;
  type?: string;
  body?: unknown;
}

function hostFor(captured: Captured, headersSent = false, destroyed = false) {
  const response = {
    headersSent,
    destroyed,
    status(code: number) {
      captured.status = code;
      return this;
    },
    type(value: string) {
      captured.type = value;
      return this;
    },
    json(body: unknown) {
      captured.body = body;
      return this;
    },
    destroy() {
      this.destroyed = true;
    },
  };
  const request = { requestId: 'req-42', method: 'GET', path: '/x', complete: true };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as unknown as ArgumentsHost;
  return { host, response };
}

describe('ContentfulExceptionFilter', () => {
  const filter = new ContentfulExceptionFilter();
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers an unexpected exception with a 500 ServerError and no stack, and logs it with the request id', () => {
    const captured: Captured = {};
    filter.catch(new TypeError('secret internals at /srv/app.js:1'), hostFor(captured).host);
    expect(captured).toEqual({
      status: 500,
      type: 'application/vnd.contentful.management.v1+json',
      body: { sys: { type: 'Error', id: 'ServerError' }, message: 'Internal server error.', requestId: 'req-42' },
    });
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      expect.objectContaining({ error: 'secret internals at /srv/app.js:1', stack: expect.any(String) }),
    );
  });

  it('keeps the status, id and details of domain errors', () => {
    const captured: Captured = {};
    filter.catch(new HangarError('VersionMismatch', 'stale', { currentVersion: 3 }), hostFor(captured).host);
    expect(captured.status).toBe(409);
    expect(captured.body).toEqual({
      sys: { type: 'Error', id: 'VersionMismatch' },
      message: 'stale',
      details: { currentVersion: 3 },
      requestId: 'req-42',
    });
  });

  it('answers 501 NotImplemented as a warning without a stack: nothing failed', () => {
    const error = jest.spyOn(Logger.prototype, 'error');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    error.mockClear();
    warn.mockClear();
    const captured: Captured = {};
    filter.catch(new HangarError('NotImplemented', 'not yet', { reason: 'zip-expansion' }), hostFor(captured).host);
    expect(captured).toMatchObject({ status: 501, body: { sys: { id: 'NotImplemented' }, details: { reason: 'zip-expansion' } } });
    expect(error).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith(expect.not.objectContaining({ stack: expect.anything() as unknown }));
  });

  it('maps Nest HTTP exceptions by status', () => {
    const captured: Captured = {};
    filter.catch(new NotFoundException('Cannot GET /x'), hostFor(captured).host);
    expect(captured).toMatchObject({ status: 404, body: { sys: { id: 'NotFound' }, message: 'Cannot GET /x' } });
  });

  it('reads the body-parser error Nest wraps', () => {
    const parserError = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    const captured: Captured = {};
    filter.catch(new BadRequestException('Unexpected token', { cause: parserError }), hostFor(captured).host);
    expect(captured).toMatchObject({ status: 400, body: { sys: { id: 'BadRequest' }, message: 'The request body is not valid JSON.' } });
  });

  it('answers 503 when the database is unreachable', () => {
    const captured: Captured = {};
    filter.catch(Object.assign(new Error("Can't reach database server at 127.0.0.1:1"), { code: 'P1001' }), hostFor(captured).host);
    expect(captured).toMatchObject({ status: 503, body: { sys: { id: 'ServiceUnavailable' }, details: { dependency: 'database' } } });
  });

  it('answers a unique violation nobody mapped with 409 Conflict, a foreign-key one with 404 NotFound, unlogged', () => {
    const adapterError = (code: string, kind: string) => ({
      code,
      meta: { driverAdapterError: { cause: { originalCode: code === 'P2002' ? '23505' : '23503', kind } } },
    });
    const unique: Captured = {};
    filter.catch(adapterError('P2002', 'UniqueConstraintViolation'), hostFor(unique).host);
    expect(unique).toMatchObject({ status: 409, body: { sys: { id: 'Conflict' } } });
    const foreignKey: Captured = {};
    filter.catch(adapterError('P2003', 'ForeignKeyConstraintViolation'), hostFor(foreignKey).host);
    expect(foreignKey).toMatchObject({ status: 404, body: { sys: { id: 'NotFound' } } });
    const raw: Captured = {};
    filter.catch(Object.assign(new Error('Raw query failed. Code: `23505`.'), { code: 'P2010' }), hostFor(raw).host);
    expect(raw).toMatchObject({ status: 409, body: { sys: { id: 'Conflict' } } });
    expect(Logger.prototype.error).not.toHaveBeenCalled();
  });

  it('notes a client that closed its connection mid-response at debug level, without a stack and without answering', () => {
    for (const code of ['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']) {
      const captured: Captured = {};
      filter.catch(Object.assign(new Error('Premature close'), { code }), hostFor(captured, true, true).host);
      expect(captured.status).toBeUndefined();
    }
    expect(Logger.prototype.error).not.toHaveBeenCalled();
    expect(Logger.prototype.debug).toHaveBeenCalledWith(expect.not.objectContaining({ stack: expect.anything() }));
  });

  it('still logs a premature close as an error while the client is connected (a dependency cut the stream)', () => {
    const { host, response } = hostFor({}, true);
    filter.catch(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }), host);
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.objectContaining({ status: 500, stack: expect.any(String) }));
    expect(response.destroyed).toBe(true);
  });

  it('cuts the connection when the response already started', () => {
    const captured: Captured = {};
    const { host, response } = hostFor(captured, true);
    filter.catch(new Error('stream broke'), host);
    expect(response.destroyed).toBe(true);
    expect(captured.status).toBeUndefined();
  });
});
