import { isStorageUnavailable, isStorageUnreachable } from './storage-errors';

describe('isStorageUnavailable', () => {
  it('recognises refused connections, also inside an AggregateError', () => {
    expect(isStorageUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isStorageUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isStorageUnavailable(Object.assign(new Error('busy'), { code: 'SlowDown' }))).toBe(true);
  });
  it('does not mistake client-side or request errors for an outage', () => {
    expect(isStorageUnavailable(Object.assign(new Error('nope'), { code: 'NoSuchKey' }))).toBe(false);
    expect(isStorageUnavailable(new Error('client went away'))).toBe(false);
  });

  it('tells a request that never reached storage from one cut off midway', () => {
    expect(isStorageUnreachable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isStorageUnreachable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
  });
});
