import { settleWithin } from './timeout';

describe('settleWithin', () => {
  it('returns the value of work that settles in time', async () => {
    await expect(settleWithin(Promise.resolve(true), 100, false)).resolves.toBe(true);
  });
  it('returns the fallback when work rejects', async () => {
    await expect(settleWithin(Promise.reject(new Error('down')), 100, false)).resolves.toBe(false);
  });
  it('returns the fallback when work hangs', async () => {
    const started = Date.now();
    await expect(settleWithin(new Promise<boolean>(() => undefined), 50, false)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
