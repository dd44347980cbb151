import { type LogEntry, type LogLevel, StructuredLogger } from './structured-logger';

const LABEL_WIDTH = 5;
const LEVEL_COLOUR: Record<LogLevel, string> = { debug: '\x1b[90m', info: '\x1b[32m', warn: '\x1b[33m', error: '\x1b[31m' };
const RESET_COLOUR = '\x1b[0m';

/** Fields the head of the line already shows, in its own way. */
const HEAD_FIELDS = new Set(['time', 'level', 'app', 'context', 'requestId', 'jobId', 'msg', 'stack']);

/** Our own request ids are UUIDs: their first group identifies a request on a terminal, as a short hash does a commit. */
const UUID = /^([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value that needs no quotes to read back unambiguously in `key=value`. */
const BARE_VALUE = /^[^\s"=]+$/;

/**
 * Writes each entry as one line for a person at a terminal:
 * `12:03:04.123 INFO  api Http [req 1a2b3c4d] request method=GET path=/health status=200 ms=1.23`,
 * the time local, the level coloured only on a terminal, and an error's stack
 * on the lines after, indented.
 */
export class PrettyLogger extends StructuredLogger {
  protected render(entry: LogEntry): string {
    const parts = [clockTime(entry.time), this.label(entry.level), entry.app];
    if (entry.context) parts.push(entry.context);
    if (entry.requestId) parts.push(`[req ${UUID.exec(entry.requestId)?.[1] ?? entry.requestId}]`);
    if (entry.jobId) parts.push(`[job ${entry.jobId}]`);
    // Fields come from callers' objects too: a logger must not throw on a `msg` or `stack` that is not a string.
    if (entry.msg !== undefined) parts.push(typeof entry.msg === 'string' ? entry.msg : formatValue(entry.msg));
    for (const [key, value] of Object.entries(entry)) {
      if (!HEAD_FIELDS.has(key) && value !== undefined) parts.push(`${key}=${formatValue(value)}`);
    }
    if (typeof entry.stack !== 'string') {
      if (entry.stack !== undefined) parts.push(`stack=${formatValue(entry.stack)}`);
      return parts.join(' ');
    }
    return [parts.join(' '), ...entry.stack.split('\n').map((stackLine) => `    ${stackLine}`)].join('\n');
  }

  private label(level: LogLevel): string {
    const name = level.toUpperCase();
    const padding = ' '.repeat(LABEL_WIDTH - name.length);
    return this.output.isTerminal(level) ? `${LEVEL_COLOUR[level]}${name}${RESET_COLOUR}${padding}` : `${name}${padding}`;
  }
}

/** `HH:MM:SS.mmm` in local time: the date and zone are noise on a terminal watched live. */
function clockTime(iso: string): string {
  const time = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, '0')}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value !== '' && BARE_VALUE.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint' || typeof value === 'boolean' || value === null) return String(value);
  if (value instanceof Error) return formatValue(value.message);
  // JSON has no form for functions and symbols (stringify gives undefined): name their type instead.
  return JSON.stringify(value) ?? `[${typeof value}]`;
}

/** Durations such as `ms` come with microsecond fractions: three significant digits are plenty to read. */
function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3)));
}
