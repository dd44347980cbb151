import type { LoggerService } from '@nestjs/common';
import { currentLogContext } from './request-context';

export type JsonLogLevel = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Record<JsonLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values must never reach a log line. */
const SECRET_KEY = /authorization|token|secret|password|cookie/i;

/**
 * Nest logger that writes one JSON object per line to stdout (stderr for
 * errors), with the current request or job id from {@link currentLogContext}.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly app: string,
    private readonly minimumLevel: JsonLogLevel = 'info',
    private readonly write: (line: string, level: JsonLogLevel) => void = defaultWrite,
  ) {}

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

  private emit(level: JsonLogLevel, message: unknown, rest: unknown[]): void {
    if (SEVERITY[level] < SEVERITY[this.minimumLevel]) return;
    // Nest passes the context name last, and for errors a stack before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const entry: Record<string, unknown> = {
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
    this.write(JSON.stringify(entry), level);
  }
}

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = SECRET_KEY.test(key) ? '[redacted]' : value;
  return out;
}

function defaultWrite(line: string, level: JsonLogLevel): void {
  (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
}
