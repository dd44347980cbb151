import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { formatBytes, formatRate } from '../format';
import type { LocalFile } from './collect-files';
import type { UploadObserver } from './run-uploads';
import type { FileResult, FileStage } from './upload-result';

export interface ProgressDisplay extends UploadObserver {
  stop(): void;
}

const LABEL_WIDTH = 24;

const doneLine = (result: FileResult, done: number, files: number) => {
  const where = result.status === 'ready' ? `asset ${result.assetId}${result.published ? ' (published)' : ''}` : result.reason;
  const resumed = result.resumedFrom === null ? '' : `, resumed at ${formatBytes(result.resumedFrom)}`;
  return `[${done}/${files}] ${result.status === 'ready' ? 'ready ' : 'FAILED'} ${result.path} (${formatBytes(result.bytes)}${resumed}): ${where}`;
};

/** `--json`: nothing but the final document goes to stdout. */
export class SilentProgress implements ProgressDisplay {
  fileStarted(): void {}
  fileProgress(): void {}
  fileStage(): void {}
  fileDone(): void {}
  stop(): void {}
}

/** stdout is not a terminal (a log, a pipe): one line per finished file, no redrawing. */
export class PlainProgress implements ProgressDisplay {
  private done = 0;

  constructor(
    private readonly files: number,
    private readonly write: (line: string) => void,
  ) {}

  fileStarted(): void {}
  fileProgress(): void {}
  fileStage(): void {}
  fileDone(_file: LocalFile, result: FileResult): void {
    this.done += 1;
    this.write(`${doneLine(result, this.done, this.files)}\n`);
  }
  stop(): void {}
}

/**
 * stdout is a terminal: a bar for each file in flight (its bytes, then its stage) and one for all of them with
 * throughput and ETA (cli-progress's multibar); each finished file leaves a line above the bars.
 */
export class TerminalProgress implements ProgressDisplay {
  private readonly multibar: MultiBar;
  private readonly overall: SingleBar;
  private readonly bars = new Map<LocalFile, SingleBar>();
  private readonly sent = new Map<LocalFile, number>();
  private readonly started = Date.now();
  private sentTotal = 0;
  private done = 0;

  constructor(
    private readonly files: readonly LocalFile[],
    stream: NodeJS.WritableStream,
  ) {
    this.multibar = new MultiBar(
      {
        stream,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
        etaBuffer: 50,
        fps: 8,
        format: '{label} {bar} {percentage}% | {sent}/{size} | {detail}',
      },
      Presets.shades_classic,
    );
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    this.overall = this.multibar.create(Math.max(bytes, 1), 0, this.overallPayload(), {
      format: `${'all files'.padEnd(LABEL_WIDTH)} {bar} {percentage}% | {sent}/{size} | {rate} | ETA {eta_formatted} | {done}/{files} files`,
    });
  }

  fileStarted(file: LocalFile): void {
    const label = file.path.length > LABEL_WIDTH ? `…${file.path.slice(-(LABEL_WIDTH - 1))}` : file.path.padEnd(LABEL_WIDTH);
    this.bars.set(
      file,
      this.multibar.create(Math.max(file.bytes, 1), 0, { label, sent: formatBytes(0), size: formatBytes(file.bytes), detail: 'uploading' }),
    );
  }

  fileProgress(file: LocalFile, bytesSent: number): void {
    this.sentTotal += bytesSent - (this.sent.get(file) ?? 0);
    this.sent.set(file, bytesSent);
    this.bars.get(file)?.update(bytesSent, { sent: formatBytes(bytesSent) });
    this.overall.update(this.sentTotal, this.overallPayload());
  }

  fileStage(file: LocalFile, stage: FileStage): void {
    this.bars.get(file)?.update(Math.max(file.bytes, 1), { sent: formatBytes(file.bytes), detail: stage });
  }

  fileDone(file: LocalFile, result: FileResult): void {
    this.done += 1;
    // A file that failed before all its bytes went counts as sent, so the overall bar still reaches its end.
    this.sentTotal += file.bytes - (this.sent.get(file) ?? 0);
    this.sent.set(file, file.bytes);
    const bar = this.bars.get(file);
    if (bar) this.multibar.remove(bar);
    this.bars.delete(file);
    this.multibar.log(`${doneLine(result, this.done, this.files.length)}\n`);
    this.overall.update(this.sentTotal, this.overallPayload());
  }

  stop(): void {
    // A redraw first: the lines logged since the last frame are written only by one, and stop() does not draw one.
    this.multibar.update();
    this.multibar.stop();
  }

  private overallPayload() {
    const bytes = this.files.reduce((sum, file) => sum + file.bytes, 0);
    return {
      sent: formatBytes(this.sentTotal),
      size: formatBytes(bytes),
      rate: formatRate(this.sentTotal, Date.now() - this.started),
      done: this.done,
      files: this.files.length,
    };
  }
}
