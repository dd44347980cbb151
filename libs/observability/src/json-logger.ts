import { type LogEntry, StructuredLogger } from './structured-logger';

/** Writes each entry as one JSON object per line: for log shippers, files and pipes. */
export class JsonLogger extends StructuredLogger {
  protected render(entry: LogEntry): string {
    return JSON.stringify(entry);
  }
}
