import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { partChunks } from './part-chunks';
import { settleWithin } from '@hangar/domain';

/** S3's smallest part is 5 MiB; 8 MiB parts keep request overhead low and memory small. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** Parts uploaded at once while the next is read: enough to keep the link to storage busy. */
const PARALLEL_PARTS = 3;

async function* prepend<T>(head: T[], rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield* head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

export interface StoredObjectInfo {
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string | undefined;
}

/**
 * The only place that talks to object storage (MinIO or any S3). Every
 * object Hangar keeps lives in one bucket, under a key owned by one row.
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

  /**
   * Streams `body` into `key` without ever holding it whole: a body that fits
   * in one part is sent with a single PUT; a longer one as a multipart upload
   * whose parts go out a few at a time while the next one is read, so memory
   * is bounded by (PARALLEL_PARTS + 1) parts. On any failure — the source
   * breaking included — the multipart upload is aborted and the error rethrown.
   * `expectedBytes` (the Content-Length, or the largest size allowed) picks a
   * part size that keeps under S3's 10,000-part limit.
   */
  async putStream(
    key: string,
    body: AsyncIterable<Buffer>,
    expectedBytes: number,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    const partSize = Math.max(MIN_PART_SIZE, Math.ceil(expectedBytes / MAX_PARTS));
    const parts = partChunks(body, partSize);
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (first.done || second.done) {
      const whole = first.done ? Buffer.alloc(0) : first.value;
      await this.client.putObject(this.bucket, key, whole, whole.length, { 'Content-Type': contentType });
      return;
    }
    const uploadId = await this.client.initiateNewMultipartUpload(this.bucket, key, { 'Content-Type': contentType });
    try {
      const etags = await this.uploadParts(key, uploadId, prepend([first.value, second.value], parts));
      await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags);
    } catch (error) {
      await this.client
        .abortMultipartUpload(this.bucket, key, uploadId)
        .catch((abortError: unknown) =>
          this.logger.warn({ msg: 'could not abort multipart upload', key, reason: (abortError as Error).message }),
        );
      throw error;
    }
  }

  private async uploadParts(key: string, uploadId: string, parts: AsyncIterable<Buffer>): Promise<{ part: number; etag: string }[]> {
    const etags: { part: number; etag: string }[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: Error | undefined;
    let partNumber = 0;
    for await (const payload of parts) {
      while (inFlight.size >= PARALLEL_PARTS) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      partNumber += 1;
      const part = partNumber;
      const upload = this.client
        .uploadPart({ bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} }, payload)
        .then(
          ({ etag }) => void etags.push({ part, etag }),
          (error: unknown) => void (failure ??= error instanceof Error ? error : new Error(String(error))),
        )
        .finally(() => inFlight.delete(upload));
      inFlight.add(upload);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    return etags.sort((a, b) => a.part - b.part);
  }

  async stat(key: string): Promise<StoredObjectInfo | undefined> {
    try {
      const stat = await this.client.statObject(this.bucket, key);
      return {
        size: stat.size,
        etag: stat.etag,
        lastModified: stat.lastModified,
        contentType: (stat.metaData as Record<string, string | undefined>)['content-type'],
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return range
      ? this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
      : this.client.getObject(this.bucket, key);
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

  /** Keys under `prefix` (tests and the orphan sweeper). */
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
