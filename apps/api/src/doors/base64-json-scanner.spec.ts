import { randomBytes } from 'node:crypto';
import { HangarError } from '@hangar/domain';
import { Base64JsonScanner, type Base64JsonFields } from './base64-json-scanner';

/** Feeds `body` in pieces of `size` bytes; the decoded bytes and the other fields. */
function scan(body: string | Buffer, size = Number.MAX_SAFE_INTEGER): { bytes: Buffer; fields: Base64JsonFields } {
  const scanner = new Base64JsonScanner();
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const out: Buffer[] = [];
  for (let start = 0; start < raw.length; start += size) out.push(...scanner.feed(raw.subarray(start, start + size)));
  return { bytes: Buffer.concat(out), fields: scanner.end() };
}

function refusal(body: string, size?: number): { errorId: string; details: Record<string, unknown> } {
  try {
    scan(body, size);
  } catch (error) {
    expect(error).toBeInstanceOf(HangarError);
    return { errorId: (error as HangarError).errorId, details: (error as HangarError).details };
  }
  throw new Error('accepted');
}

describe('Base64JsonScanner', () => {
  const bytes = randomBytes(10_007);
  const base64 = bytes.toString('base64');

  it.each([1, 2, 3, 5, 7, 64, 4096])('decodes data fed %i bytes at a time, whatever the key order', (size) => {
    const { bytes: decoded, fields } = scan(
      JSON.stringify({ data: base64, type: 'image/png', name: 'a.png', extra: { x: [1, '}'] } }),
      size,
    );
    expect(decoded.equals(bytes)).toBe(true);
    expect(fields).toEqual({ name: 'a.png', type: 'image/png', dataUriType: undefined });
  });

  it.each([1, 3, 4096])('reads a data: URI (%i bytes at a time) and keeps its media type', (size) => {
    const { bytes: decoded, fields } = scan(JSON.stringify({ name: 'x', data: `data:image/gif;name=x;base64,${base64}` }), size);
    expect(decoded.equals(bytes)).toBe(true);
    expect(fields.dataUriType).toBe('image/gif;name=x');
  });

  it('takes escaped slashes, wrapped lines, URL-safe characters and missing padding', () => {
    const wrapped = (base64.match(/.{1,76}/g) ?? []).join('\\n').replace(/\//g, '\\/');
    expect(scan(`{"data":"${wrapped}"}`, 5).bytes.equals(bytes)).toBe(true);
    expect(scan(`{"data":"${bytes.toString('base64url')}"}`, 3).bytes.equals(bytes)).toBe(true);
    expect(scan('{"data":"YWI"}').bytes.toString()).toBe('ab');
    expect(scan('{"data":"YWI="}').bytes.toString()).toBe('ab');
    expect(scan('{"data":"YQ=="}', 1).bytes.toString()).toBe('a');
    expect(scan('{"data":"dGVzdA"}', 1).bytes.toString()).toBe('test');
  });

  it.each([
    ['a character outside base64', '{"data":"YW*I"}'],
    ['a non-ASCII character', '{"data":"YWé="}'],
    ['an escaped quote', '{"data":"YW\\"I"}'],
    ['characters after padding', '{"data":"YQ==YQ=="}'],
    ['three padding characters', '{"data":"YQ==="}'],
    ['padding too early', '{"data":"Y=Q="}'],
    ['an impossible length', '{"data":"YWJjZ"}'],
    ['a data: URI that is not base64', '{"data":"data:text/plain,hello"}'],
    ['a data: URI without a comma', '{"data":"data:text/plain;base64"}'],
  ])('refuses %s with a 400 naming data', (_name, body) => {
    expect(refusal(body, 2)).toEqual({ errorId: 'BadRequest', details: { path: ['data'] } });
  });

  it.each([1, 7, 4096, 65536])('finds a bad character deep in a long run (fed %i bytes at a time)', (size) => {
    for (const bad of ['*', 'é', '\u0000', '.']) {
      const data = `${base64.slice(0, 9001)}${bad}${base64.slice(9001)}`;
      const refused = refusal(JSON.stringify({ data }), size);
      expect(refused.errorId).toBe('BadRequest');
      if (bad !== '\u0000') expect(refused.details).toEqual({ path: ['data'] });
    }
  });

  it.each([
    ['an array', '[]'],
    ['a raw control character in data', '{"data":"YW\tI="}'],
    ['trailing text', '{"data":"YQ=="} x'],
    ['a trailing comma', '{"data":"YQ==",}'],
    ['a truncated object', '{"data":"YQ=='],
    ['an unknown escape', '{"data":"YQ\\q=="}'],
    ['a broken other value', '{"name": x, "data":"YQ=="}'],
  ])('refuses %s as malformed JSON', (_name, body) => {
    expect(refusal(body).errorId).toBe('BadRequest');
  });

  it('refuses a missing or repeated data field, and a data that is not a string', () => {
    expect(refusal('{"name":"a"}')).toEqual({ errorId: 'BadRequest', details: { path: ['data'] } });
    expect(refusal('{"data":"YQ==","data":"YQ=="}')).toEqual({ errorId: 'BadRequest', details: { path: ['data'] } });
    expect(refusal('{"data":12}').errorId).toBe('ValidationFailed');
    expect(refusal('{"data":"YQ==","name":12}').errorId).toBe('ValidationFailed');
  });

  it('bounds what it holds of the other values', () => {
    expect(refusal(JSON.stringify({ name: 'x'.repeat(40_000), data: 'YQ==' })).errorId).toBe('BadRequest');
  });
});
