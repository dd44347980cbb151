import { UrlencodedScanner } from './urlencoded-scanner';

/** Feeds `body` split at `cuts` and returns the streamed bytes and the other fields. */
function scan(body: string | Buffer, cuts: number[] = []) {
  const bytes = Buffer.from(body);
  const scanner = new UrlencodedScanner('body');
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...scanner.feed(bytes.subarray(from, cut)));
    from = cut;
  }
  const end = scanner.end();
  return { streamed: Buffer.concat([...out, end.tail]), fields: Object.fromEntries(end.fields), sawStreamed: end.sawStreamed };
}

describe('UrlencodedScanner', () => {
  it('streams body= decoded and reads the other fields whole, in any order', () => {
    const result = scan('type=json&body=%7B%22toc%22%3A%5B%5D%7D&folder=true');
    expect(result.streamed.toString()).toBe('{"toc":[]}');
    expect(result.fields).toEqual({ type: 'json', folder: 'true' });
    expect(result.sawStreamed).toBe(true);
  });

  it('decodes the same at every split point of every chunk (a %XX cut in two included)', () => {
    const body = 'folder=false&body=End+user%20license%2Bagreement%E2%9C%93%zz%4&type=text%2Fplain';
    const whole = scan(body);
    expect(whole.streamed.toString('latin1')).toBe(Buffer.from('End user license+agreement✓%zz%4').toString('latin1'));
    expect(whole.fields).toEqual({ folder: 'false', type: 'text/plain' });
    for (let cut = 0; cut <= body.length; cut += 1) {
      for (const second of [cut, cut + 1, cut + 2]) {
        const split = scan(body, second <= body.length ? [cut, second] : [cut]);
        expect(split.streamed.equals(whole.streamed)).toBe(true);
        expect(split.fields).toEqual(whole.fields);
      }
    }
  });

  it('keeps binary bytes as bytes', () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0x89, 0x50, 0x4e, 0x47]);
    const encoded = [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
    expect(scan(`body=${encoded}`).streamed.equals(bytes)).toBe(true);
  });

  it('tells a missing body, an empty one and a key alone apart', () => {
    expect(scan('folder=true').sawStreamed).toBe(false);
    expect(scan('body=&folder').fields).toEqual({ folder: '' });
    expect(scan('body=').sawStreamed).toBe(true);
    expect(scan('').fields).toEqual({});
  });

  it('refuses a repeated body, too many fields and over-long values with 400', () => {
    expect(() => scan('body=a&body=b')).toThrow(/more than once/);
    expect(() => scan(Array.from({ length: 40 }, (_, i) => `k${i}=v`).join('&'))).toThrow(/at most 32 fields/);
    expect(() => scan(`type=${'x'.repeat(5000)}`)).toThrow(/at most 4096 bytes/);
    expect(() => scan(`${'k'.repeat(300)}=v`)).toThrow(/at most 256 bytes/);
  });
});
