import type { Request } from 'express';
import { parseVersionHeader } from './version-header.decorator';

const withHeader = (value: string | undefined) => ({ header: () => value }) as unknown as Request;

function refusalOf(raw: string): unknown {
  try {
    parseVersionHeader(withHeader(raw));
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parseVersionHeader', () => {
  it('is undefined when the header is absent', () => {
    expect(parseVersionHeader(withHeader(undefined))).toBeUndefined();
  });
  // Any whole number is a version: one the resource does not have is the caller's 409 VersionMismatch.
  it.each([
    ['7', 7],
    [' 12 ', 12],
    ['99999999999999', 99_999_999_999_999],
  ])('reads %j as version %d', (raw, version) => {
    expect(parseVersionHeader(withHeader(raw))).toBe(version);
  });
  it.each(['abc', '-1', '1.5', '', '0x10', '1,2', '1 2'])('refuses %j with a 400 BadRequest', (raw) => {
    expect(refusalOf(raw)).toMatchObject({ errorId: 'BadRequest', status: 400 });
  });
});
