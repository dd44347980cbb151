/** What became of one file: the per-file entry of `hangar upload --json`. */
export interface FileResult {
  /** The path as the arguments named it. */
  readonly path: string;
  readonly bytes: number;
  readonly contentType: string;
  /** The Upload the file went into through tus; null when the transfer failed. */
  readonly uploadId: string | null;
  readonly assetId: string | null;
  /** `ready` once the asset's file is processed (and published when asked); anything short of that is `failed`. */
  readonly status: 'ready' | 'failed';
  /** Why it failed: the api's error (status, id and message) or the processing's reason; null when ready. */
  readonly reason: string | null;
  /** The processed file's URL, as the asset gives it. */
  readonly url: string | null;
  readonly published: boolean;
  /** Bytes the api already held when this run resumed an upload an earlier run left unfinished; null if none. */
  readonly resumedFrom: number | null;
  readonly durationMs: number;
}

/** Where a file is in its pipeline, for progress displays. */
export type FileStage = 'uploading' | 'processing' | 'publishing';

export interface UploadTotals {
  readonly files: number;
  readonly bytes: number;
  readonly ready: number;
  /** Bytes of the files that became ready: the throughput in the summary is of these. */
  readonly readyBytes: number;
  readonly failed: number;
  readonly durationMs: number;
}
