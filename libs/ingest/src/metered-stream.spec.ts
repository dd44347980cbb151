import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { UploadTooLargeError } from './ingest-errors';
import { ByteMeter, meteredStream } from './metered-stream';

async function drain(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('meteredStream', () => {
  it('passes bytes through and measures their size and SHA-256', async () => {
    const meter = new ByteMeter();
    const out = await drain(meteredStream(Readable.from([Buffer.from('hello '), Buffer.from('world')]), 100, meter));
    expect(out.toString()).toBe('hello world');
    expect(meter.size).toBe(11);
    expect(meter.digest()).toBe(sha256('hello world'));
  });

  it('fails before yielding the chunk that passes the limit', async () => {
    const meter = new ByteMeter();
    const seen: Buffer[] = [];
    const consume = async () => {
      for await (const chunk of meteredStream(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), 10, meter)) seen.push(chunk);
    };
    await expect(consume()).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(seen).toHaveLength(1);
    expect(meter.size).toBe(6);
  });

  it('counts the limit from where a session stands, and goes back to a checkpoint', async () => {
    const meter = new ByteMeter();
    await drain(meteredStream(Readable.from([Buffer.from('hello ')]), 10, meter));
    const checkpoint = meter.checkpoint();
    await expect(drain(meteredStream(Readable.from([Buffer.from('world!')]), 10, meter))).rejects.toBeInstanceOf(UploadTooLargeError);
    meter.restore(checkpoint);
    await drain(meteredStream(Readable.from([Buffer.from('you')]), 10, meter));
    expect(meter.size).toBe(9);
    expect(meter.digest()).toBe(sha256('hello you'));
  });
});
