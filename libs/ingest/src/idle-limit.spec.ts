import { Readable } from 'node:stream';
import { HangarError } from '@hangar/domain';
import { idleLimited } from './idle-limit';

describe('idleLimited', () => {
  it('passes a body whose chunks keep coming, however long it takes in all', async () => {
    async function* slow() {
      for (let i = 0; i < 5; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        yield Buffer.from([i]);
      }
    }
    const chunks: Buffer[] = [];
    for await (const chunk of idleLimited(slow(), 60)) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([0, 1, 2, 3, 4]));
  });

  it('fails with 408 RequestTimeout when the next chunk takes longer than the limit', async () => {
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.from('first'));
    const seen: Buffer[] = [];
    const consume = async () => {
      for await (const chunk of idleLimited(stalled, 50)) seen.push(chunk);
    };
    const failure = await consume().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HangarError);
    expect((failure as HangarError).errorId).toBe('RequestTimeout');
    expect((failure as HangarError).status).toBe(408);
    expect(seen).toEqual([Buffer.from('first')]);
    stalled.destroy();
  });

  it("with onIdle 'end', ends the body where it stalled instead of failing (a resumable door keeps what arrived)", async () => {
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.from('first'));
    const seen: Buffer[] = [];
    for await (const chunk of idleLimited(stalled, 50, { onIdle: 'end' })) seen.push(chunk);
    expect(seen).toEqual([Buffer.from('first')]);
    stalled.destroy();
  });

  it('does not count the time the consumer spends between chunks', async () => {
    const source = Readable.from([Buffer.from('a'), Buffer.from('b')]);
    const chunks: Buffer[] = [];
    for await (const chunk of idleLimited(source, 30)) {
      chunks.push(chunk);
      await new Promise((resolve) => setTimeout(resolve, 80));
    }
    expect(chunks).toHaveLength(2);
  });
});
