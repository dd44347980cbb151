import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { settleWithin } from '@hangar/domain';

/** S3's smallest part (every part of a multipart upload but the last must be at least this). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3's largest part number. */
export const MAX_PARTS = 10_000;
/** Parts uploaded at once while the next is read: enough to keep the link to storage busy. */
const PARALLEL_PARTS = 3;

/** One written part of a multipart upload. */
export interface StoredPart {
  readonly part: number;
  readonly etag: string;
}

/** A multipart upload that was started and neither completed nor aborted. */
export interface IncompleteUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
}

/**
 * The only place that talks to object storage (MinIO or any S3). Every
 * object Hangar keeps lives in one bucket, under a key owned by one row
 * (see the ownership registry of the orphan sweeper).
 */
@Injectable()
export class StorageService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StorageService.name);
  private readonly client: Client;
  /** Our own keep-alive pool, so shutdown can close its sockets instead of waiting for them to idle out. */
  private readonly agent: HttpAgent;
  readonly bucket: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { endpoint, region, accessKey, secretKey, bucket } = config.storage;
    const useSSL = endpoint.protocol === 'https:';
    this.agent = useSSL ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 });
    this.client = new Client({
      endPoint: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey,
      secretKey,
      region,
      pathStyle: true,
      transportAgent: this.agent,
    });
    this.bucket = bucket;
  }

  /** Creates the bucket on first boot; fails boot with one clear line when storage is down. */
  async onModuleInit(): Promise<void> {
    try {
      if (!(await this.client.bucketExists(this.bucket))) {
        await this.client.makeBucket(this.bucket);
        this.logger.log({ msg: 'created bucket', bucket: this.bucket });
      }
    } catch (error) {
      // Two replicas booting at once may both try to create it.
      if ((error as { code?: string }).code === 'BucketAlreadyOwnedByYou') return;
      throw new Error(`Cannot reach object storage (S3_ENDPOINT) bucket "${this.bucket}": ${(error as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    this.agent.destroy();
  }

  /** True when the bucket answers within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    return settleWithin(this.client.bucketExists(this.bucket), timeoutMs, false);
  }

  /** Writes a whole object with one PUT (bodies that fit in one part). */
  async putObject(key: string, bytes: Buffer, contentType = 'application/octet-stream'): Promise<void> {
    await this.client.putObject(this.bucket, key, bytes, bytes.length, { 'Content-Type': contentType });
  }

  // ---- multipart primitives: a body written part by part, possibly over several requests

  /** Starts a multipart upload; its id must be recorded before the first part is written. */
  async initiateMultipart(key: string, contentType = 'application/octet-stream'): Promise<string> {
    return this.client.initiateNewMultipartUpload(this.bucket, key, { 'Content-Type': contentType });
  }

  /**
   * Writes `parts` as parts `firstPart`, `firstPart + 1`, … of a multipart
   * upload, a few at once while the next one is read, so memory is bounded by
   * (PARALLEL_PARTS + 1) parts. On failure — the source breaking included —
   * it waits for the parts in flight and rethrows; the caller decides whether
   * to abort. Returns the parts written, in order.
   */
  async uploadParts(key: string, uploadId: string, parts: AsyncIterable<Buffer>, firstPart = 1): Promise<StoredPart[]> {
    const written: StoredPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: Error | undefined;
    let partNumber = firstPart - 1;
    try {
      for await (const payload of parts) {
        while (inFlight.size >= PARALLEL_PARTS) await Promise.race(inFlight);
        if (failure !== undefined) throw failure;
        partNumber += 1;
        if (partNumber > MAX_PARTS) throw new Error(`a multipart upload takes at most ${MAX_PARTS} parts`);
        const part = partNumber;
        const upload = this.client
          .uploadPart({ bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} }, payload)
          .then(
            ({ etag }) => void written.push({ part, etag }),
            (error: unknown) => void (failure ??= error instanceof Error ? error : new Error(String(error))),
          )
          .finally(() => inFlight.delete(upload));
        inFlight.add(upload);
      }
    } finally {
      await Promise.all(inFlight);
    }
    if (failure !== undefined) throw failure;
    return written.sort((a, b) => a.part - b.part);
  }

  /** The parts written so far (for completing an upload whose parts another process wrote). */
  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    // `listParts` is protected in minio's typings but is the documented ListParts call.
    const parts = await (
      this.client as unknown as { listParts(bucket: string, key: string, uploadId: string): Promise<{ part: number; etag: string }[]> }
    ).listParts(this.bucket, key, uploadId);
    return parts.map(({ part, etag }) => ({ part, etag })).sort((a, b) => a.part - b.part);
  }

  /** Joins the parts into the object. */
  async completeMultipart(key: string, uploadId: string, parts: readonly StoredPart[]): Promise<void> {
    await this.client.completeMultipartUpload(this.bucket, key, uploadId, [...parts]);
  }

  /** Drops a multipart upload and its parts; aborting one that is already gone is not an error. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.abortMultipartUpload(this.bucket, key, uploadId);
    } catch (error) {
      if ((error as { code?: string }).code !== 'NoSuchUpload') throw error;
    }
  }

  /**
   * One page of the bucket's incomplete multipart uploads under `prefix`,
   * after `keyMarker` (S3's ListMultipartUploads; MinIO answers it for an
   * exact object key or a prefix).
   */
  async listIncompleteMultipart(
    prefix: string,
    keyMarker = '',
  ): Promise<{ uploads: IncompleteUpload[]; nextKeyMarker: string | undefined }> {
    const page = await this.client.listIncompleteUploadsQuery(this.bucket, prefix, keyMarker, '', '');
    return {
      uploads: page.uploads.map(({ key, uploadId, initiated }) => ({ key, uploadId, initiated })),
      nextKeyMarker: page.isTruncated && page.nextKeyMarker ? page.nextKeyMarker : undefined,
    };
  }

  // ---- reading, copying, deleting

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return range
      ? this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
      : this.client.getObject(this.bucket, key);
  }

  /** The whole of a small object (a session's tail), or an empty buffer when there is none. */
  async readSmall(key: string): Promise<Buffer> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.client.getObject(this.bucket, key)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (error) {
      if (isNotFound(error)) return Buffer.alloc(0);
      throw error;
    }
  }

  /** Copies an object inside the bucket on the server: no bytes pass through this process. */
  async copy(sourceKey: string, targetKey: string): Promise<void> {
    await this.client.copyObject(
      new CopySourceOptions({ Bucket: this.bucket, Object: sourceKey }),
      new CopyDestinationOptions({ Bucket: this.bucket, Object: targetKey }),
    );
  }

  /** The first `bytes` bytes of an object (fewer if it is shorter), for sniffing types and reading headers. */
  async readHead(key: string, bytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.client.getPartialObject(this.bucket, key, 0, bytes)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Deletes one object; deleting a missing object is not an error. */
  async remove(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }

  /** Up to `limit` objects of the bucket after `startAfter`, in key order (the orphan sweeper's pages). */
  async listPage(startAfter: string, limit: number): Promise<{ key: string; lastModified: Date }[]> {
    const page: { key: string; lastModified: Date }[] = [];
    const stream = this.client.listObjectsV2(this.bucket, '', true, startAfter);
    for await (const item of stream) {
      const { name, lastModified } = item as { name?: string; lastModified?: Date };
      if (name && lastModified) page.push({ key: name, lastModified });
      if (page.length >= limit) break;
    }
    stream.destroy();
    return page;
  }

  /** Keys under `prefix`. */
  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const item of this.client.listObjectsV2(this.bucket, prefix, true)) {
      if ((item as { name?: string }).name) keys.push((item as { name: string }).name);
    }
    return keys;
  }

  /** Deletes up to 1000 objects per request (S3 multi-object delete). */
  async removeMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      await this.client.removeObjects(this.bucket, keys.slice(start, start + 1000));
    }
  }
}

export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}
