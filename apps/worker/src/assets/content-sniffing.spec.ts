import { refusalReason } from './content-sniffing';

describe('refusalReason', () => {
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  it('lets ordinary files through', () => {
    expect(refusalReason('image/png', 'cat.png', 'image/png', png)).toBeUndefined();
    expect(refusalReason('text/plain', 'notes.txt', undefined, Buffer.from('hello'))).toBeUndefined();
  });
  it.each([
    ['text/html', 'page.txt', undefined, 'x'],
    ['text/javascript; charset=utf-8', 'a.txt', undefined, 'x'],
    ['application/octet-stream', 'evil.html', undefined, 'x'],
    ['image/png', 'cat.png', undefined, '  <!DOCTYPE html><script>alert(1)</script>'],
    ['image/png', 'cat.png', undefined, '<html><body>'],
  ])('refuses %s named %s', (declared, name, detected, content) => {
    expect(refusalReason(declared, name, detected, Buffer.from(content))).toEqual(expect.any(String));
  });
});
