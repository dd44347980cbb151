import { refusalOf, type RefusalRule } from './content-sniffing';

describe('refusalOf', () => {
  const png = Buffer.from('89504e470d0a1a0a', 'hex');

  it('lets ordinary files through', () => {
    expect(refusalOf('image/png', 'cat.png', 'image/png', png)).toBeUndefined();
    expect(refusalOf('text/plain', 'notes.txt', undefined, Buffer.from('hello'))).toBeUndefined();
    // Markup is only looked for when the bytes have no type of their own.
    expect(refusalOf('image/png', 'cat.png', 'image/png', Buffer.concat([png, Buffer.from('<html>')]))).toBeUndefined();
  });

  it.each<[string, string, string | undefined, string, RefusalRule]>([
    ['text/html', 'page.txt', undefined, 'x', 'declared-type'],
    ['text/javascript; charset=utf-8', 'a.txt', undefined, 'x', 'declared-type'],
    ['  Application/XHTML+XML ', 'a.txt', undefined, 'x', 'declared-type'],
    ['image/png', 'cat.png', 'text/html', 'x', 'detected-type'],
    ['application/octet-stream', 'evil.html', undefined, 'x', 'file-name'],
    ['application/octet-stream', 'bundle.MJS', undefined, 'x', 'file-name'],
    ['image/png', 'cat.png', undefined, '  <!DOCTYPE html><script>alert(1)</script>', 'active-markup'],
    ['image/png', 'cat.png', undefined, '<html><body>', 'active-markup'],
    ['text/plain', 'a.txt', undefined, '\n<script>alert(1)</script>', 'active-markup'],
  ])('refuses %j named %j (detected %j) by the %5$s rule', (declared, name, detected, content, rule) => {
    expect(refusalOf(declared, name, detected, Buffer.from(content))).toEqual({ rule, reason: expect.any(String) });
  });
});
