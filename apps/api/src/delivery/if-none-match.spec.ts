import { ifNoneMatchFails } from './if-none-match';

describe('ifNoneMatchFails', () => {
  const etag = '"abc123"';

  it.each([
    '"abc123"',
    'W/"abc123"',
    '*',
    ' * ',
    '"other", "abc123"',
    '"other",W/"abc123"',
    'W/"other" , W/"abc123" ,"third"',
    '"a,b", "abc123"',
    '"other", , "abc123",',
  ])('matches %j (304)', (header) => {
    expect(ifNoneMatchFails(header, etag)).toBe(true);
  });

  it.each([undefined, '', '"abc12"', 'abc123', '"ABC123"', 'W/"other"', '"other", W/"abc1234"', 'w/"abc123"x', '"abc123', '*, "x"'])(
    'does not match %j',
    (header) => {
      expect(ifNoneMatchFails(header, etag)).toBe(false);
    },
  );

  it('compares a weak tag of ours weakly too', () => {
    expect(ifNoneMatchFails('"abc123"', 'W/"abc123"')).toBe(true);
  });
});
