const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB"; whole bytes below 1 KiB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** Bytes per second over an elapsed time, e.g. "3.2 MiB/s"; "–" before anything could be measured. */
export function formatRate(bytes: number, elapsedMs: number): string {
  if (elapsedMs <= 0) return '–';
  return `${formatBytes(Math.round((bytes * 1000) / elapsedMs))}/s`;
}

/** 83_000 → "1m23s"; under a minute "4.2s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * A plain-text table: a header row, then one row per entry, columns as wide as their widest cell, two spaces
 * apart, trailing spaces removed. Cells longer than `maxCell` are cut with an ellipsis, except in the last column,
 * which sets no other column's width: URLs and reasons there stay whole, to be copied.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], maxCell = 60): string {
  const last = header.length - 1;
  const clip = (cell: string, column: number) => (column < last && cell.length > maxCell ? `${cell.slice(0, maxCell - 1)}…` : cell);
  const all = [header, ...rows].map((row) => header.map((_, column) => clip(row[column] ?? '', column)));
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]?.length ?? 0)));
  return all
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
