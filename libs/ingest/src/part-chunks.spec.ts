import { Readable } from 'node:stream';
import { partChunks } from './part-chunks';

async function collect(pieces: Buffer[], partSize: number): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for await (const part of partChunks(Readable.from(pieces), partSize)) parts.push(part);
  return parts;
}

describe('partChunks', () => {
  it('regroups pieces into parts of the exact size, the last one shorter', async () => {
    const bytes = Buffer.from(Array.from({ length: 23 }, (_, i) => i));
    const pieces = [bytes.subarray(0, 3), bytes.subarray(3, 4), bytes.subarray(4, 17), bytes.subarray(17)];
    const parts = await collect(pieces, 5);
    expect(parts.map((part) => part.length)).toEqual([5, 5, 5, 5, 3]);
    expect(Buffer.concat(parts)).toEqual(bytes);
  });

  it('yields nothing for an empty stream and one part for an exact fit', async () => {
    expect(await collect([], 4)).toEqual([]);
    expect(await collect([Buffer.alloc(4, 1)], 4)).toEqual([Buffer.alloc(4, 1)]);
  });

  it('propagates a source error', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('client went away'));
      },
    });
    const consume = async () => {
      for await (const _part of partChunks(failing, 4)) void _part;
    };
    await expect(consume()).rejects.toThrow('client went away');
  });
});
