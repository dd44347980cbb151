import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BodyMeter, meteredBody, UploadTooLargeError } from './metered-body';

async function drain(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('meteredBody', () => {
  it('passes bytes through and measures their size and SHA-256', async () => {
    const meter = new BodyMeter();
    const out = await drain(meteredBody(Readable.from([Buffer.from('hello '), Buffer.from('world')]), 100, meter));
    expect(out.toString()).toBe('hello world');
    expect(meter.size).toBe(11);
    expect(meter.digest()).toBe(createHash('sha256').update('hello world').digest('hex'));
  });

  it('fails before yielding the chunk that passes the limit', async () => {
    const meter = new BodyMeter();
    const seen: Buffer[] = [];
    const consume = async () => {
      for await (const chunk of meteredBody(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), 10, meter)) seen.push(chunk);
    };
    await expect(consume()).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(seen).toHaveLength(1);
    expect(meter.size).toBe(6);
  });
});
