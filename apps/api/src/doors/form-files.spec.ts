import { withLastBoundary } from './form-files';

describe('withLastBoundary', () => {
  it('keeps a Content-Type with one boundary as it is', () => {
    expect(withLastBoundary('multipart/form-data; boundary=abc')).toBe('multipart/form-data; boundary=abc');
    expect(withLastBoundary(undefined)).toBeUndefined();
  });

  it('keeps the last of several boundaries (curl appends its own to one set by -H)', () => {
    expect(
      withLastBoundary(
        'multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW; boundary=------------------------7bcb896103c929d4',
      ),
    ).toBe('multipart/form-data; boundary=------------------------7bcb896103c929d4');
    expect(withLastBoundary('multipart/form-data; boundary="a b"; charset=utf-8; BOUNDARY=zz')).toBe(
      'multipart/form-data; charset=utf-8; boundary=zz',
    );
  });
});
