import { basename } from 'node:path';
import type { HangarClient } from '../api-client';
import { type AssetJson, assetPath, type EnvironmentRef, environmentPath } from '../hangar-api';
import type { LocalFile } from './collect-files';
import { contentTypeOf } from './content-types';
import { tusTransfer, type TusTransferOptions } from './tus-transfer';
import type { FileResult, FileStage } from './upload-result';

/** What a progress display is told while files go through. */
export interface UploadObserver {
  fileStarted(file: LocalFile): void;
  fileProgress(file: LocalFile, bytesSent: number): void;
  fileStage(file: LocalFile, stage: FileStage): void;
  fileDone(file: LocalFile, result: FileResult): void;
}

export interface UploadSettings {
  readonly environment: EnvironmentRef;
  readonly locale: string;
  readonly publish: boolean;
  readonly concurrency: number;
  readonly chunkSize: number;
  /** How long to wait for one file's processing before calling it failed. */
  readonly processingTimeoutMs: number;
  readonly urlStorage: TusTransferOptions['urlStorage'];
  readonly signal: AbortSignal;
}

/** How often a file's processing is looked at: soon at first, then less often. */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 2000;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Each file: through tus into an Upload, then an asset linking it (title and file name = the file's name), its
 * processing requested and waited for, and, when asked, published. `concurrency` files at a time; results in
 * the order of `files`. A file's failure is its result; it never stops the others.
 */
export async function runUploads(client: HangarClient, files: readonly LocalFile[], settings: UploadSettings, observer: UploadObserver) {
  const results: FileResult[] = new Array<FileResult>(files.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < files.length; index = next++) {
      const file = files[index] as LocalFile;
      observer.fileStarted(file);
      const result = await uploadOne(client, file, settings, observer);
      results[index] = result;
      observer.fileDone(file, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, files.length) }, lane));
  return results;
}

async function uploadOne(client: HangarClient, file: LocalFile, settings: UploadSettings, observer: UploadObserver): Promise<FileResult> {
  const started = Date.now();
  const fileName = basename(file.path);
  const contentType = contentTypeOf(fileName);
  let uploadId: string | null = null;
  let assetId: string | null = null;
  let resumedFrom: number | null = null;
  const result = (fields: Pick<FileResult, 'status' | 'reason' | 'url' | 'published'>): FileResult => ({
    path: file.path,
    bytes: file.bytes,
    contentType,
    uploadId,
    assetId,
    resumedFrom,
    durationMs: Date.now() - started,
    ...fields,
  });
  const failed = (stage: string, error: unknown) =>
    result({ status: 'failed', reason: `${stage}: ${messageOf(error)}`, url: null, published: false });

  try {
    const transfer = await tusTransfer(file.absolutePath, {
      endpoint: `${client.connection.url}${environmentPath(settings.environment)}/tus`,
      token: client.connection.token,
      chunkSize: settings.chunkSize,
      urlStorage: settings.urlStorage,
      fileName,
      contentType,
      onProgress: (sent) => observer.fileProgress(file, sent),
      signal: settings.signal,
    });
    uploadId = transfer.uploadId;
    resumedFrom = transfer.resumedFrom;
  } catch (error) {
    return failed('upload', error);
  }

  observer.fileStage(file, 'processing');
  const locale = settings.locale;
  let asset: AssetJson;
  try {
    asset = await client.request<AssetJson>('POST', `${environmentPath(settings.environment)}/assets`, {
      body: {
        fields: {
          title: { [locale]: fileName },
          file: { [locale]: { contentType, fileName, uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: uploadId } } } },
        },
      },
    });
    assetId = asset.sys.id;
  } catch (error) {
    return failed('create asset', error);
  }

  try {
    await client.request('PUT', `${assetPath(settings.environment, asset.sys.id)}/files/${encodeURIComponent(locale)}/process`, {
      version: asset.sys.version,
    });
    asset = await waitForProcessing(client, settings, asset.sys.id);
  } catch (error) {
    return failed('process', error);
  }
  const processing = asset.sys.fileProcessing?.[locale];
  const url = asset.fields.file?.[locale]?.url ?? null;
  if (processing?.status === 'failed' || url === null) {
    return result({ status: 'failed', reason: `process: ${processing?.reason ?? 'failed without a reason'}`, url: null, published: false });
  }

  if (!settings.publish) return result({ status: 'ready', reason: null, url, published: false });
  observer.fileStage(file, 'publishing');
  try {
    await client.request('PUT', `${assetPath(settings.environment, asset.sys.id)}/published`, { version: asset.sys.version });
  } catch (error) {
    return result({ status: 'failed', reason: `publish: ${messageOf(error)}`, url, published: false });
  }
  return result({ status: 'ready', reason: null, url, published: true });
}

/** Reads the asset until its file is processed (a url) or failed; past the deadline, an error. */
async function waitForProcessing(client: HangarClient, settings: UploadSettings, assetId: string): Promise<AssetJson> {
  const deadline = Date.now() + settings.processingTimeoutMs;
  let wait = POLL_FIRST_MS;
  for (;;) {
    const asset = await client.request<AssetJson>('GET', assetPath(settings.environment, assetId));
    const status = asset.sys.fileProcessing?.[settings.locale]?.status;
    if (status === 'failed' || (status !== 'processing' && asset.fields.file?.[settings.locale]?.url !== undefined)) return asset;
    if (settings.signal.aborted) throw new Error('interrupted while waiting for processing');
    if (Date.now() + wait > deadline) {
      throw new Error(`not processed after ${Math.round(settings.processingTimeoutMs / 1000)} s (still ${status ?? 'waiting'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(Math.round(wait * 1.5), POLL_MAX_MS);
  }
}
