import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AppConfig } from '@hangar/config';
import type { ObjectBody, StorageService } from '@hangar/storage';
import { MEMORY_PART_MAX_BYTES, PartSpool, sizeOf, SPOOL_MEMORY_BYTES } from './part-spool';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(body: ObjectBody): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body.open()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('PartSpool', () => {
  let root: string;
  let spool: PartSpool;

  const newSpool = (signsPayloads = true, memoryBufferBytes = 0) =>
    new PartSpool(
      { uploads: { spoolDir: root, memoryBufferBytes } } as unknown as AppConfig,
      { signsPayloads } as unknown as StorageService,
    );
  const files = async () => readdir(spool.directory);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hangar-spool-spec-'));
    spool = newSpool();
    await spool.onModuleInit();
  });
  afterEach(async () => {
    await spool.onModuleDestroy();
    await rm(root, { recursive: true, force: true });
  });

  it('regroups pieces into parts of the exact size, the last one shorter, small parts in memory and large ones on disk', async () => {
    const partSize = 3 * SPOOL_MEMORY_BYTES;
    const bytes = Buffer.alloc(7 * SPOOL_MEMORY_BYTES + 123).map((_, i) => i % 251);
    const pieces = [bytes.subarray(0, 1000), bytes.subarray(1000, 300_000), bytes.subarray(300_000)];
    const session = spool.session();
    const parts: ObjectBody[] = [];
    for await (const part of session.parts(Readable.from(pieces), partSize)) parts.push(part);

    expect(parts.map(sizeOf)).toEqual([partSize, partSize, SPOOL_MEMORY_BYTES + 123]);
    expect(parts.map((part) => Buffer.isBuffer(part))).toEqual([false, false, false]);
    expect(Buffer.concat(await Promise.all(parts.map(bytesOf)))).toEqual(bytes);
    for (const part of parts) {
      if (!Buffer.isBuffer(part)) expect(part.sha256).toBe(sha256(await bytesOf(part)));
    }
    expect(await files()).toHaveLength(3);

    const [first] = parts;
    if (first && !Buffer.isBuffer(first)) await first.release();
    expect(await files()).toHaveLength(2);
    await session.close();
    expect(await files()).toEqual([]);
  });

  it('keeps a body that fits in memory off the disk, and skips the digest when storage does not sign payloads', async () => {
    const session = spool.session();
    const parts: ObjectBody[] = [];
    for await (const part of session.parts(Readable.from([Buffer.from('hello')]), 5 * 1024 * 1024)) parts.push(part);
    expect(parts).toEqual([Buffer.from('hello')]);
    expect(await files()).toEqual([]);

    const unsigned = newSpool(false);
    await unsigned.onModuleInit();
    const large: ObjectBody[] = [];
    for await (const part of unsigned.session().parts(Readable.from([Buffer.alloc(2 * SPOOL_MEMORY_BYTES)]), 1024 * 1024)) {
      large.push(part);
    }
    expect(large.map((part) => !Buffer.isBuffer(part) && part.sha256)).toEqual([undefined]);
    await unsigned.onModuleDestroy();
  });

  it('holds small parts of a known size in memory while the process budget has room, then spools; the budget comes back when each write ends', async () => {
    const budgeted = newSpool(true, 2 * MEMORY_PART_MAX_BYTES);
    await budgeted.onModuleInit();
    const onDisk = async () => readdir(budgeted.directory);
    const collect = async (session: ReturnType<PartSpool['session']>, body: Buffer, expectedBytes: number | undefined) => {
      const parts: ObjectBody[] = [];
      const pieces = Readable.from([body.subarray(0, 1000), body.subarray(1000)]);
      for await (const part of session.parts(pieces, 5 * 1024 * 1024, expectedBytes)) parts.push(part);
      return parts;
    };
    const body = (size: number) => randomBytes(size);
    try {
      // A whole 1 MiB body fits (its first 64 KiB are free): a buffer, no file, the rest of it taken from the budget.
      const first = budgeted.session();
      const firstBytes = body(MEMORY_PART_MAX_BYTES);
      const firstParts = await collect(first, firstBytes, firstBytes.length);
      expect(firstParts.map((part) => Buffer.isBuffer(part) && part.equals(firstBytes))).toEqual([true]);
      expect(budgeted.memoryInUse).toBe(MEMORY_PART_MAX_BYTES - SPOOL_MEMORY_BYTES);
      // A second one still fits; a third does not, and goes to disk with its digest, holding nothing.
      const second = budgeted.session();
      expect(Buffer.isBuffer((await collect(second, body(MEMORY_PART_MAX_BYTES), MEMORY_PART_MAX_BYTES))[0])).toBe(true);
      const third = budgeted.session();
      const thirdBytes = body(MEMORY_PART_MAX_BYTES);
      const [spooled] = await collect(third, thirdBytes, thirdBytes.length);
      expect(spooled !== undefined && !Buffer.isBuffer(spooled) && spooled.sha256).toBe(sha256(thirdBytes));
      expect(await onDisk()).toHaveLength(1);
      expect(budgeted.memoryInUse).toBe(2 * (MEMORY_PART_MAX_BYTES - SPOOL_MEMORY_BYTES));
      await Promise.all([first.close(), second.close(), third.close()]);
      expect(budgeted.memoryInUse).toBe(0);
      expect(await onDisk()).toEqual([]);

      // On disk whatever the budget: a size not known in advance, one over MEMORY_PART_MAX_BYTES, and a body that
      // brings more than it said (what it reserved is given back as it spills).
      for (const [bytes, expected] of [
        [body(512 * 1024), undefined],
        [body(MEMORY_PART_MAX_BYTES + 1), undefined],
        [body(MEMORY_PART_MAX_BYTES + 1), MEMORY_PART_MAX_BYTES + 1],
        [body(512 * 1024), 256 * 1024],
      ] as const) {
        const session = budgeted.session();
        const parts = await collect(session, bytes, expected);
        expect(parts.map((part) => Buffer.isBuffer(part))).toEqual([false]);
        expect(Buffer.concat(await Promise.all(parts.map(bytesOf))).equals(bytes)).toBe(true);
        expect(budgeted.memoryInUse).toBe(0);
        await session.close();
      }

      // A part given up midway (the client left) gives its memory back.
      const abandoned = budgeted.session();
      const generator = abandoned.parts(
        Readable.from(
          (function* () {
            yield body(512 * 1024);
            throw new Error('client gone');
          })(),
        ),
        5 * 1024 * 1024,
        MEMORY_PART_MAX_BYTES,
      );
      await expect(generator.next()).rejects.toThrow('client gone');
      expect(budgeted.memoryInUse).toBe(0);
      await abandoned.close();
    } finally {
      await budgeted.onModuleDestroy();
    }
  });

  it('answers a full spool disk as 503 ServiceUnavailable (not a 500), and leaves no file behind', async () => {
    const probe = await open(join(root, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { writev: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const full = jest
      .spyOn(fileHandle, 'writev')
      .mockRejectedValue(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    try {
      const session = spool.session();
      const consume = async () => {
        for await (const part of session.parts(Readable.from([Buffer.alloc(2 * SPOOL_MEMORY_BYTES)]), 1024 * 1024)) void part;
      };
      await expect(consume()).rejects.toMatchObject({ errorId: 'ServiceUnavailable', details: { dependency: 'upload spool disk' } });
      await session.close();
      expect(await files()).toEqual([]);
    } finally {
      full.mockRestore();
    }
  });

  it('removes the part being assembled when the source fails, and holds only a bounded amount in memory meanwhile', async () => {
    const session = spool.session();
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 4 * SPOOL_MEMORY_BYTES) {
          this.destroy(new Error('client went away'));
          return;
        }
        sent += SPOOL_MEMORY_BYTES / 2;
        this.push(Buffer.alloc(SPOOL_MEMORY_BYTES / 2, 7));
      },
    });
    const consume = async () => {
      for await (const _part of session.parts(failing, 1024 * 1024)) void _part;
    };
    await expect(consume()).rejects.toThrow('client went away');
    expect(await files()).toEqual([]);
  });

  it('removes, at start, the directories of processes that are gone, and leaves live ones alone', async () => {
    const { mkdir } = await import('node:fs/promises');
    const dead = join(root, '999999999-0123abcd');
    const alive = join(root, `${process.ppid}-0123abcd`);
    const foreign = join(root, 'not-a-spool');
    for (const path of [dead, alive, foreign]) await mkdir(path);

    const next = newSpool();
    await next.onModuleInit();
    const left = await readdir(root);
    expect(left).not.toContain('999999999-0123abcd');
    expect(left).toEqual(expect.arrayContaining([`${process.ppid}-0123abcd`, 'not-a-spool', spool.directory.split('/').pop()]));
    await next.onModuleDestroy();
    expect(await readdir(root)).not.toContain(next.directory.split('/').pop());
  });
});
