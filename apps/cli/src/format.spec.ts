import { formatBytes, formatDuration, formatRate, renderTable } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [4 * 1024 * 1024 + 1, '4.00 MiB'],
    [63 * 1024 * 1024, '63.0 MiB'],
    [3 * 1024 ** 4, '3.00 TiB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatRate and formatDuration', () => {
  it('measures bytes per second, and says nothing before time has passed', () => {
    expect(formatRate(10 * 1024 * 1024, 2000)).toBe('5.00 MiB/s');
    expect(formatRate(100, 0)).toBe('–');
  });
  it('writes seconds under a minute, minutes and seconds above', () => {
    expect(formatDuration(4200)).toBe('4.2s');
    expect(formatDuration(83_000)).toBe('1m23s');
  });
});

describe('renderTable', () => {
  it('pads each column to its widest cell, two spaces apart, without trailing spaces', () => {
    expect(
      renderTable(
        ['FILE', 'SIZE', 'NOTE'],
        [
          ['a.png', '1 B', ''],
          ['folder/b.pdf', '12.0 KiB', 'x'],
        ],
      ),
    ).toBe(['FILE          SIZE      NOTE', 'a.png         1 B', 'folder/b.pdf  12.0 KiB  x'].join('\n'));
  });
  it('cuts long cells with an ellipsis, but never in the last column (URLs are copied from there)', () => {
    const url = `http://example.test/${'u'.repeat(40)}`;
    expect(renderTable(['NAME', 'URL'], [['abcdefghij', url]], 5)).toBe(['NAME   URL', `abcd…  ${url}`].join('\n'));
  });
});
