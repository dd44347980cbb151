import { FilePath } from './file-path';
import { FileUrlSigner, type SignatureProblem, SignedUrlRefusedError, SigningUnavailableError } from './file-url-signer';

const OLD = { id: 'k1', secret: 'a'.repeat(32) };
const NEW = { id: 'k2', secret: 'b'.repeat(32) };
const path = FilePath.parse('reports/q3.pdf');
const NOW = 1_800_000_000;

function problemOf(signer: FileUrlSigner, query: Record<string, string>, spaceId = 'space', at = path): SignatureProblem | undefined {
  try {
    signer.verify(spaceId, at, query);
    return undefined;
  } catch (error) {
    if (error instanceof SignedUrlRefusedError) return error.problem;
    throw error;
  }
}

describe('FileUrlSigner', () => {
  const clock = { now: NOW };
  const signer = new FileUrlSigner([NEW, OLD], () => clock.now);
  const signed = signer.sign({ spaceId: 'space', path, version: 3, expiresAt: NOW + 10 });

  beforeEach(() => {
    clock.now = NOW;
  });

  it('signs with the first key and verifies its own URLs', () => {
    expect(signed).toMatchObject({ version: '3', exp: String(NOW + 10), kid: 'k2', sig: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(signer.verify('space', path, signed)).toEqual({ spaceId: 'space', path, version: 3, expiresAt: NOW + 10 });
  });

  it('signs a rendition with its parameters: the URL serves that rendition only', () => {
    const rendition = { w: '200', fm: 'webp' };
    const forRendition = signer.sign({ spaceId: 'space', path, version: 3, expiresAt: NOW + 10, rendition });
    expect(forRendition).toMatchObject({ w: '200', fm: 'webp', version: '3' });
    expect(forRendition.sig).not.toBe(signed.sig);
    expect(signer.verify('space', path, forRendition, rendition)).toMatchObject({ version: 3, rendition });
    const refused = (given: Record<string, string>) => {
      try {
        signer.verify('space', path, forRendition, given);
        return undefined;
      } catch (error) {
        return (error as SignedUrlRefusedError).problem;
      }
    };
    expect(refused({ w: '4000', fm: 'webp' })).toBe('invalid-signature');
    expect(refused({ w: '200' })).toBe('invalid-signature');
    expect(refused({})).toBe('invalid-signature');
    // And a URL for the file itself grants no rendition.
    expect(() => signer.verify('space', path, signed, { w: '10' })).toThrow(SignedUrlRefusedError);
  });

  it('works until exp (inclusive) and fails one second after', () => {
    clock.now = NOW + 10;
    expect(problemOf(signer, signed)).toBeUndefined();
    clock.now = NOW + 11;
    expect(problemOf(signer, signed)).toBe('expired');
  });

  it('verifies URLs of a key still listed after rotation; a key no longer listed is unknown', () => {
    const before = new FileUrlSigner([OLD], () => NOW).sign({ spaceId: 'space', path, version: 1, expiresAt: NOW + 60 });
    expect(problemOf(signer, before)).toBeUndefined();
    expect(problemOf(new FileUrlSigner([NEW], () => NOW), before)).toBe('unknown-key');
  });

  it('refuses any change to what was signed: space, path, version, expiry, key id, signature', () => {
    expect(problemOf(signer, signed, 'other')).toBe('invalid-signature');
    expect(problemOf(signer, signed, 'space', FilePath.parse('reports/q4.pdf'))).toBe('invalid-signature');
    expect(problemOf(signer, { ...signed, version: '2' })).toBe('invalid-signature');
    expect(problemOf(signer, { ...signed, exp: String(NOW + 11) })).toBe('invalid-signature');
    expect(problemOf(signer, { ...signed, kid: 'k1' })).toBe('invalid-signature');
    // An expired URL made to look fresh is a changed one, not an expired one.
    clock.now = NOW + 100;
    expect(problemOf(signer, { ...signed, exp: String(NOW + 1000) })).toBe('invalid-signature');
  });

  it('refuses every single-character change of the signature, the last character (two spare bits) included', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let at = 0; at < signed.sig.length; at += 1) {
      for (const replacement of alphabet) {
        if (replacement === signed.sig[at]) continue;
        const sig = `${signed.sig.slice(0, at)}${replacement}${signed.sig.slice(at + 1)}`;
        expect([at, replacement, problemOf(signer, { ...signed, sig })]).toEqual([at, replacement, 'invalid-signature']);
      }
    }
  });

  it('calls a URL missing a part, or with a part that is not a number, malformed', () => {
    for (const part of ['version', 'exp', 'kid', 'sig'] as const) {
      const { [part]: _left, ...rest } = signed;
      expect(problemOf(signer, rest)).toBe('malformed');
    }
    expect(problemOf(signer, { ...signed, exp: '12e5' })).toBe('malformed');
    expect(problemOf(signer, { ...signed, version: '-1' })).toBe('malformed');
  });

  it('cannot sign without a key', () => {
    expect(() => new FileUrlSigner([]).sign({ spaceId: 'space', path, version: 1, expiresAt: NOW })).toThrow(SigningUnavailableError);
  });
});
