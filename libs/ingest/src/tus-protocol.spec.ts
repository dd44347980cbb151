import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { checksumVerified, exactly, parseUploadChecksum, TusProtocolError } from './tus-protocol';

const digest = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('base64');

async function drain(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const seen: Buffer[] = [];
  for await (const chunk of chunks) seen.push(chunk);
  return Buffer.concat(seen);
}

function pieces(...parts: string[]): AsyncIterable<Buffer> {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

describe('Upload-Checksum', () => {
  it('reads sha1 and sha256 digests, and nothing when the header is absent', () => {
    expect(parseUploadChecksum(undefined)).toBeUndefined();
    expect(parseUploadChecksum(`sha1 ${digest('sha1', Buffer.from('a'))}`)).toEqual({
      algorithm: 'sha1',
      digest: createHash('sha1').update('a').digest(),
    });
    expect(parseUploadChecksum(`sha256 ${digest('sha256', Buffer.from('a'))}`)).toMatchObject({ algorithm: 'sha256' });
  });

  it.each([
    ['an algorithm we do not offer', `md5 ${digest('md5', Buffer.from('a'))}`],
    ['no digest', 'sha1'],
    ['a digest that is not base64', 'sha1 ***'],
    ['a digest of the wrong length', `sha256 ${digest('sha1', Buffer.from('a'))}`],
    ['more than two parts', `sha1 ${digest('sha1', Buffer.from('a'))} extra`],
  ])('answers 400 for %s', (_name, header) => {
    const parsed = parseUploadChecksum(header);
    expect(parsed).toBeInstanceOf(TusProtocolError);
    expect((parsed as TusProtocolError).status_code).toBe(400);
  });

  it('passes a body whose digest matches, and fails with 460 at its end when it does not', async () => {
    const body = Buffer.from('hello world');
    const good = { algorithm: 'sha256' as const, digest: createHash('sha256').update(body).digest() };
    expect(await drain(checksumVerified(pieces('hello', ' world'), good))).toEqual(body);
    const bad = { algorithm: 'sha1' as const, digest: createHash('sha1').update('other').digest() };
    await expect(drain(checksumVerified(pieces('hello', ' world'), bad))).rejects.toMatchObject({ status_code: 460 });
  });
});

describe('exactly', () => {
  it('passes a body of the announced length and fails one that ends short', async () => {
    expect(await drain(exactly(pieces('ab', 'c'), 3))).toEqual(Buffer.from('abc'));
    await expect(drain(exactly(pieces('ab'), 3))).rejects.toMatchObject({ status_code: 400 });
  });
});
