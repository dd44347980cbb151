import { deliveredTypeOf, deliveryHeaders, DOWNLOAD_TYPE, PLAIN_TEXT_TYPE } from './delivery-headers';

const text = (value: string) => Buffer.from(value);

describe('deliveredTypeOf', () => {
  it.each<[string | undefined, string, string, string]>([
    // The bytes decide when file-type knows them, whatever was declared.
    ['image/png', 'text/plain', 'PNG', 'image/png'],
    ['image/png', 'image/svg+xml', 'PNG', 'image/png'],
    ['image/jpeg', 'application/x-javascript', 'JPEG', 'image/jpeg'],
    ['audio/ogg; codecs=opus', 'audio/ogg', 'OGG', 'audio/ogg'],
    ['video/MP1S', 'video/mpeg', 'MPEG', 'video/mp1s'],
    ['application/pdf', 'application/octet-stream', '%PDF', 'application/pdf'],
    ['text/vtt', 'text/vtt', 'WEBVTT', 'text/vtt'],
    // Detected, but not passive: a download.
    ['application/xml', 'image/svg+xml', '<?xml version="1.0"?><svg/>', DOWNLOAD_TYPE],
    ['application/xml', 'text/plain', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', DOWNLOAD_TYPE],
    ['application/zip', 'application/zip', 'PK', DOWNLOAD_TYPE],
    ['application/x-msdownload', 'image/png', 'MZ', DOWNLOAD_TYPE],
    ['text/calendar', 'text/plain', 'BEGIN:VCALENDAR', DOWNLOAD_TYPE],
    // Bytes file-type cannot identify: the declared type only if it is plain text or JSON, and the bytes are text, not markup.
    [undefined, 'text/plain', 'hello', PLAIN_TEXT_TYPE],
    [undefined, 'Text/Plain; charset=iso-8859-1', 'hello', PLAIN_TEXT_TYPE],
    [undefined, 'text/plain', 'alert(document.domain)', PLAIN_TEXT_TYPE],
    [undefined, 'application/json', '{"a":1}', 'application/json'],
    [undefined, 'text/plain', '<svg onload="alert(1)">', DOWNLOAD_TYPE],
    [undefined, 'text/plain', '\uFEFF  \n<x:script xmlns:x="http://www.w3.org/1999/xhtml">', DOWNLOAD_TYPE],
    [undefined, 'application/json', '<html>', DOWNLOAD_TYPE],
    [undefined, 'text/plain', 'binary\u0000bytes', DOWNLOAD_TYPE],
    [undefined, 'image/png', 'not a png', DOWNLOAD_TYPE],
    [undefined, 'video/mp4', 'not a video', DOWNLOAD_TYPE],
    [undefined, 'image/svg+xml', 'x', DOWNLOAD_TYPE],
    [undefined, 'application/x-javascript', 'alert(1)', DOWNLOAD_TYPE],
    [undefined, 'text/javascript', 'alert(1)', DOWNLOAD_TYPE],
    [undefined, 'text/html', 'hello', DOWNLOAD_TYPE],
    [undefined, 'application/xhtml+xml', 'hello', DOWNLOAD_TYPE],
    [undefined, 'text/xml', 'hello', DOWNLOAD_TYPE],
    [undefined, 'text/css', 'body{}', DOWNLOAD_TYPE],
    [undefined, 'text/csv', 'a,b', DOWNLOAD_TYPE],
    [undefined, 'application/octet-stream', 'hello', DOWNLOAD_TYPE],
    [undefined, 'html', 'hello', DOWNLOAD_TYPE],
  ])('detected %j, declared %j, bytes %j → %j', (detected, declared, head, expected) => {
    expect(deliveredTypeOf(detected, declared, text(head))).toBe(expected);
  });
});

describe('deliveryHeaders', () => {
  it.each<[string | null, string]>([
    ['image/png', 'image/png'],
    ['IMAGE/JPEG', 'image/jpeg'],
    ['audio/mpeg', 'audio/mpeg'],
    ['video/mp4', 'video/mp4'],
    ['application/pdf', 'application/pdf'],
    ['application/json', 'application/json'],
    ['text/vtt', 'text/vtt'],
    ['text/plain', PLAIN_TEXT_TYPE],
    [PLAIN_TEXT_TYPE, PLAIN_TEXT_TYPE],
    ['text/plain; charset=iso-8859-1', PLAIN_TEXT_TYPE],
    // Parameters are never echoed: only the allow-listed essence goes out.
    ['image/png; x="a\r\nSet-Cookie: b"', 'image/png'],
  ])('delivers the passive stored type %j inline as %j', (stored, contentType) => {
    expect(deliveryHeaders(stored, 'a.bin')).toEqual({
      contentType,
      contentDisposition: `inline; filename="a.bin"; filename*=UTF-8''a.bin`,
    });
  });

  it.each<string | null>([
    null,
    '',
    'html',
    'htm',
    'js',
    'text/html',
    'text/html; charset=utf-8',
    'text/html,foo',
    'application/xhtml+xml',
    'text/javascript',
    'application/javascript',
    'application/x-javascript',
    'image/svg+xml',
    'image/svg',
    'text/xml',
    'application/xml',
    'application/rss+xml',
    'text/css',
    'multipart/x-mixed-replace; boundary=x',
    'application/octet-stream',
    'application/x-shockwave-flash',
    'text/plain\u0007',
    'bild/pñg',
    'image/png\r\nSet-Cookie: a=b',
    'image/png\nX: y',
    '\u0000',
  ])('delivers the stored type %j as a download', (stored) => {
    expect(deliveryHeaders(stored, 'a.bin')).toEqual({
      contentType: DOWNLOAD_TYPE,
      contentDisposition: `attachment; filename="a.bin"; filename*=UTF-8''a.bin`,
    });
  });

  it.each<[string, string]>([
    ['noise "x".jpg', `inline; filename="noise _x_.jpg"; filename*=UTF-8''noise%20%22x%22.jpg`],
    ['猫.png', `inline; filename="_.png"; filename*=UTF-8''%E7%8C%AB.png`],
    ["it's (1)*.png", `inline; filename="it's (1)*.png"; filename*=UTF-8''it%27s%20%281%29%2A.png`],
    ['back\\slash.png', `inline; filename="back_slash.png"; filename*=UTF-8''back%5Cslash.png`],
    ['a\r\nSet-Cookie: x.png', `inline; filename="a__Set-Cookie: x.png"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.png`],
    // Bidirectional controls are dropped: the name cannot show another extension than it has.
    ['invoice\u202Egnp.exe', `inline; filename="invoicegnp.exe"; filename*=UTF-8''invoicegnp.exe`],
    ['a\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069\u200E\u200F\u061Cb.png', `inline; filename="ab.png"; filename*=UTF-8''ab.png`],
    ['\u202E\u200F', 'inline'],
    // A lone surrogate (not a character) would make encodeURIComponent throw.
    ['half\uD83D.png', `inline; filename="half_.png"; filename*=UTF-8''half%EF%BF%BD.png`],
    ['\uDE00x.png', `inline; filename="_x.png"; filename*=UTF-8''%EF%BF%BDx.png`],
    ['😀.png', `inline; filename="__.png"; filename*=UTF-8''%F0%9F%98%80.png`],
  ])('names %j as %s', (fileName, disposition) => {
    expect(deliveryHeaders('image/png', fileName).contentDisposition).toBe(disposition);
  });

  it('answers only printable ASCII for any stored type and name', () => {
    const awkward = ['\u0000', '\r\n', 'é', '\uD800', '\u202E', '"', '\\', ';', ',', '\u2028', '\uFFFF'];
    for (const stored of [...awkward.map((c) => `image/png${c}`), ...awkward])
      for (const name of awkward.map((c) => `a${c}b`)) {
        const headers = deliveryHeaders(stored, name);
        expect(headers.contentType).toMatch(/^[\x20-\x7e]+$/);
        expect(headers.contentDisposition).toMatch(/^[\x20-\x7e]+$/);
      }
  });
});
