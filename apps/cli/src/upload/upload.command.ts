import { type CliContext, connect, nonEmpty, printJson } from '../cli-context';
import { configDirectory, ensureConfigDirectory, tusUploadsFile } from '../config-store';
import { formatBytes, formatDuration, formatRate, renderTable } from '../format';
import { type EnvironmentRef, resolveLocale, resolveSpace } from '../hangar-api';
import { collectFiles } from './collect-files';
import { PlainProgress, type ProgressDisplay, SilentProgress, TerminalProgress } from './progress';
import { runUploads } from './run-uploads';
import { fileUrlStorage } from './tus-transfer';
import type { FileResult, UploadTotals } from './upload-result';

export interface UploadOptions {
  readonly space?: string;
  readonly env: string;
  readonly locale?: string;
  readonly publish?: boolean;
  readonly concurrency: number;
  readonly timeout: number;
  readonly chunkSize: number;
  readonly json?: boolean;
}

/** `hangar upload <paths…>`: every file through tus into a processed asset; exit status 1 if any failed. */
export async function upload(context: CliContext, paths: readonly string[], options: UploadOptions): Promise<void> {
  const files = await collectFiles(paths, context.cwd);
  if (files.length === 0) throw new Error(`nothing to upload: ${paths.join(', ')} holds no file`);

  const client = await connect(context);
  const spaceId = await resolveSpace(client, options.space ?? nonEmpty(context.env.HANGAR_SPACE));
  const environment: EnvironmentRef = { spaceId, environmentId: options.env };
  const locale = await resolveLocale(client, environment, options.locale);
  const directory = configDirectory(context.env);
  await ensureConfigDirectory(directory);

  const progress: ProgressDisplay =
    options.json === true
      ? new SilentProgress()
      : context.stdout.isTTY
        ? new TerminalProgress(files, context.stdout)
        : new PlainProgress(files.length, (line) => context.stdout.write(line));
  const started = Date.now();
  let results: FileResult[];
  try {
    results = await runUploads(
      client,
      files,
      {
        environment,
        locale,
        publish: options.publish === true,
        concurrency: options.concurrency,
        chunkSize: options.chunkSize,
        processingTimeoutMs: options.timeout * 1000,
        urlStorage: fileUrlStorage(tusUploadsFile(directory)),
        signal: context.signal,
      },
      progress,
    );
  } finally {
    progress.stop();
  }
  const totals: UploadTotals = {
    files: results.length,
    bytes: results.reduce((sum, result) => sum + result.bytes, 0),
    ready: results.filter((result) => result.status === 'ready').length,
    readyBytes: results.filter((result) => result.status === 'ready').reduce((sum, result) => sum + result.bytes, 0),
    failed: results.filter((result) => result.status === 'failed').length,
    durationMs: Date.now() - started,
  };
  if (totals.failed > 0) context.exitCode = 1;

  if (options.json === true) {
    printJson(context, { space: spaceId, environment: options.env, locale, files: results, totals });
    return;
  }
  context.stdout.write(`\n${summaryTable(results)}\n\n${summaryLine(totals)}\n`);
  if (context.signal.aborted) context.stdout.write('Interrupted: run the same command again to resume the unfinished uploads.\n');
}

export function summaryTable(results: readonly FileResult[]): string {
  return renderTable(
    ['FILE', 'SIZE', 'STATUS', 'ASSET', 'URL OR REASON'],
    results.map((result) => [
      result.path,
      formatBytes(result.bytes),
      result.status === 'ready' && result.published ? 'published' : result.status,
      result.assetId ?? '–',
      (result.status === 'ready' ? result.url : result.reason) ?? '',
    ]),
    60,
  );
}

/** The last line: how many files, how long, and how fast the bytes that became assets went. */
export function summaryLine(totals: UploadTotals): string {
  const head = `${totals.files} file${totals.files === 1 ? '' : 's'}, ${formatBytes(totals.bytes)} in ${formatDuration(totals.durationMs)}`;
  const rate = formatRate(totals.readyBytes, totals.durationMs);
  if (totals.failed === 0) return `${head} (${rate}): all ready`;
  const ready = totals.ready === 0 ? '0 ready' : `${totals.ready} ready (${formatBytes(totals.readyBytes)}, ${rate})`;
  return `${head}: ${ready}, ${totals.failed} failed`;
}
