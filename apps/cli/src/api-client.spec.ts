import { ApiError, normaliseBaseUrl } from './api-client';

describe('ApiError.fromBody', () => {
  it("reads a Contentful error: status, id, message and each validation problem's path", () => {
    const body = JSON.stringify({
      sys: { type: 'Error', id: 'ValidationFailed' },
      message: 'Validation error',
      details: { errors: [{ name: 'type', path: ['fields', 'file', 'en-US', 'contentType'], details: 'not a media type' }] },
      requestId: 'req-1',
    });
    const error = ApiError.fromBody(422, body);
    expect(error.message).toBe('422 ValidationFailed: Validation error; fields.file.en-US.contentType: not a media type');
    expect(error).toMatchObject({ status: 422, errorId: 'ValidationFailed', requestId: 'req-1' });
  });
  it("keeps a short text answer (tus's own) as it is", () => {
    expect(ApiError.fromBody(413, 'Upload-Length exceeds the maximum\n').message).toBe('413: Upload-Length exceeds the maximum');
    expect(ApiError.fromBody(502, '').message).toBe('502: no message');
  });
});

describe('normaliseBaseUrl', () => {
  it('drops trailing slashes and keeps a path prefix', () => {
    expect(normaliseBaseUrl(' http://localhost:3000/ ')).toBe('http://localhost:3000');
    expect(normaliseBaseUrl('https://media.example.com/hangar//')).toBe('https://media.example.com/hangar');
  });
  it.each(['localhost:3000', 'ftp://host', 'http://host/?a=1', 'not a url'])('refuses %s', (input) => {
    expect(() => normaliseBaseUrl(input)).toThrow();
  });
});
