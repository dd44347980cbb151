import type { LoggerService } from '@nestjs/common';
import { currentLogContext } from './request-context';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values must never reach a log line. */
const SECRET_KEY = /authorization|token|secret|password|cookie/i;

/**
 * Nest's own start-up narration: one line per module and per route (some
 * sixty for the api). Useful when debugging wiring, noise otherwise, so it is
 * written at debug level.
 */
const NEST_WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** One log entry: the fields every format writes, then the entry's own (already redacted) fields. */
export interface LogEntry {
  time: string;
  level: LogLevel;
  app: string;
  context?: string;
  requestId?: string;
  jobId?: string;
  msg?: string;
  stack?: string;
  [field: string]: unknown;
}

/** Where rendered entries go. */
export interface LogOutput {
  /** Writes one rendered entry (a pretty entry with a stack spans several lines). */
  write(text: string, level: LogLevel): void;
  /** Whether `level`'s entries reach a terminal, where a pretty line may colour its level. */
  isTerminal(level: LogLevel): boolean;
}

/** Errors to stderr, everything else to stdout. */
export const STANDARD_OUTPUT: LogOutput = {
  write: (text, level) => streamFor(level).write(`${text}\n`),
  isTerminal: (level) => streamFor(level).isTTY === true,
};

function streamFor(level: LogLevel): NodeJS.WriteStream {
  return level === 'error' ? process.stderr : process.stdout;
}

/**
 * Nest logger that turns every call into one {@link LogEntry} carrying the
 * current request or job id from {@link currentLogContext}, with secrets
 * redacted; subclasses only decide how an entry is written.
 */
export abstract class StructuredLogger implements LoggerService {
  constructor(
    private readonly app: string,
    private readonly minimumLevel: LogLevel = 'info',
    protected readonly output: LogOutput = STANDARD_OUTPUT,
  ) {}

  protected abstract render(entry: LogEntry): string;

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }

  private emit(requestedLevel: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context name last, and for errors a stack before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const level = requestedLevel === 'info' && context && NEST_WIRING_CONTEXTS.has(context) ? 'debug' : requestedLevel;
    if (SEVERITY[level] < SEVERITY[this.minimumLevel]) return;
    const entry: LogEntry = {
      time: new Date().toISOString(),
      level,
      app: this.app,
      ...(context ? { context } : {}),
      ...currentLogContext(),
    };
    if (message instanceof Error) {
      entry.msg = message.message;
      entry.stack = message.stack;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, redact(message as Record<string, unknown>));
    } else {
      entry.msg = String(message);
    }
    for (const extra of args) {
      if (typeof extra === 'string') entry.stack = extra;
      else if (extra instanceof Error) entry.stack = extra.stack;
      else if (typeof extra === 'object' && extra !== null) Object.assign(entry, redact(extra as Record<string, unknown>));
    }
    this.output.write(this.render(entry), level);
  }
}

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = SECRET_KEY.test(key) ? '[redacted]' : value;
  return out;
}
