import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { settleWithin } from '@hangar/domain';

/** S3's smallest part (every part of a multipart upload but the last must be at least this). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3's largest part copied from another object (UploadPartCopy). */
export const MAX_COPY_PART_SIZE = 5 * 1024 * 1024 * 1024;
/** S3's largest part number. */
export const MAX_PARTS = 10_000;
/** Parts uploaded at once while the next is read: enough to keep the link to storage busy. */
const PARALLEL_PARTS = 3;

/** One written part of a multipart upload. */
export interface StoredPart {
  readonly part: number;
  readonly etag: string;
}

/**
 * Bytes of a known length that can be read as a stream, again if a request
 * must be retried: a part spooled to disk, say. Storage sends them without
 * holding them in memory, and releases them once it is done with them.
 */
export interface ReplayableBody {
  readonly size: number;
  /** The bytes' hex SHA-256 when {@link StorageService.signsPayloads} (S3 signs it over plain HTTP), else undefined. */
  readonly sha256: string | undefined;
  open(): Readable;
  /** Called once, when storage is done with the bytes (written or given up). */
  release(): Promise<void>;
}

/** What an object or a part is written from: bytes in memory, or a {@link ReplayableBody}. */
export type ObjectBody = Buffer | ReplayableBody;

/** Attempts of a streamed write that storage answers with a retryable status (503 SlowDown and the like). */
const STREAMED_WRITE_ATTEMPTS = 2;

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
  /**
   * The same client without minio's own retry, for streamed writes: it would
   * send a stream it has already consumed again. Those are retried here instead.
   */
  private readonly streamingClient: Client;
  /**
   * The streaming client that sends payloads unsigned (`UNSIGNED-PAYLOAD`, as
   * every client does over HTTPS), for bytes that go to storage while they
   * still arrive: their SHA-256 is not known before they are sent.
   */
  private readonly passThroughClient: Client;
  /**
   * For presigned URLs only (no request is sent with it): built for the endpoint clients reach, since SigV4 binds
   * the Host; `region` is set so minio-js does not ask the bucket for it over the network.
   */
  private readonly publicClient: Client;
  /** Our own keep-alive pool, so shutdown can close its sockets instead of waiting for them to idle out. */
  private readonly agent: HttpAgent;
  readonly bucket: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { endpoint, region, accessKey, secretKey, bucket } = config.storage;
    const useSSL = endpoint.protocol === 'https:';
    this.agent = useSSL ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 });
    const options = {
      endPoint: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey,
      secretKey,
      region,
      pathStyle: true,
      transportAgent: this.agent,
    };
    this.client = new Client(options);
    this.streamingClient = new Client({ ...options, retryOptions: { disableRetry: true } });
    this.passThroughClient = new Client({ ...options, retryOptions: { disableRetry: true } });
    this.passThroughClient.enableSHA256 = false;
    const publicEndpoint = config.storage.publicEndpoint;
    const publicSSL = publicEndpoint.protocol === 'https:';
    this.publicClient = new Client({
      endPoint: publicEndpoint.hostname,
      port: publicEndpoint.port ? Number(publicEndpoint.port) : publicSSL ? 443 : 80,
      useSSL: publicSSL,
      accessKey,
      secretKey,
      region,
      pathStyle: true,
    });
    this.bucket = bucket;
  }

  /**
   * True when writes carry their payload's SHA-256 (S3 signs payloads sent
   * over plain HTTP; over HTTPS it takes them unsigned): a
   * {@link ReplayableBody} must then come with its digest.
   */
  get signsPayloads(): boolean {
    return this.client.enableSHA256;
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

  /**
   * A presigned GET of an object at the public endpoint, valid for `expirySeconds` (at most 7 days), that makes
   * storage answer with the given response headers (`response-content-type` and the like) instead of its own.
   */
  async presignedGet(key: string, expirySeconds: number, responseHeaders: Record<string, string>, signedAt?: Date): Promise<string> {
    return this.publicClient.presignedGetObject(this.bucket, key, expirySeconds, responseHeaders, signedAt);
  }

  /** True when the bucket answers within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    return settleWithin(this.client.bucketExists(this.bucket), timeoutMs, false);
  }

  /**
   * Writes a whole object with one PUT (bodies that fit in one part); a replayable body is released after.
   * `sha256`, the hex digest of a buffer when the caller has measured it already (an upload's content hash), spares
   * hashing it twice more: minio's client would take its SHA-256 to sign it and its MD5 for Content-MD5.
   */
  async putObject(key: string, body: ObjectBody, contentType = 'application/octet-stream', sha256?: string): Promise<void> {
    if (Buffer.isBuffer(body) && sha256 !== undefined) {
      const replayable: ReplayableBody = { size: body.length, sha256, open: () => Readable.from([body]), release: () => Promise.resolve() };
      await drain(await this.sendStreamed({ method: 'PUT', objectName: key, headers: { 'Content-Type': contentType } }, replayable));
      return;
    }
    if (Buffer.isBuffer(body)) {
      await this.client.putObject(this.bucket, key, body, body.length, { 'Content-Type': contentType });
      return;
    }
    try {
      await drain(await this.sendStreamed({ method: 'PUT', objectName: key, headers: { 'Content-Type': contentType } }, body));
    } finally {
      await body.release();
    }
  }

  // ---- multipart primitives: a body written part by part, possibly over several requests

  /** Starts a multipart upload; its id must be recorded before the first part is written. */
  async initiateMultipart(key: string, contentType = 'application/octet-stream'): Promise<string> {
    return this.client.initiateNewMultipartUpload(this.bucket, key, { 'Content-Type': contentType });
  }

  /**
   * Writes `parts` as parts `firstPart`, `firstPart + 1`, … of a multipart
   * upload, a few at once while the next one is read: at most
   * (PARALLEL_PARTS + 1) parts are pending (in memory when they are buffers;
   * replayable bodies are streamed, and each is released once written or
   * given up). On failure — the source breaking included — it waits for the
   * parts in flight and rethrows; the caller decides whether to abort.
   * Returns the parts written, in order.
   */
  async uploadParts(key: string, uploadId: string, parts: AsyncIterable<ObjectBody>, firstPart = 1): Promise<StoredPart[]> {
    const written: StoredPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: Error | undefined;
    let partNumber = firstPart - 1;
    try {
      for await (const payload of parts) {
        try {
          while (inFlight.size >= PARALLEL_PARTS) await Promise.race(inFlight);
          if (failure !== undefined) throw failure;
          partNumber += 1;
          if (partNumber > MAX_PARTS) throw new Error(`a multipart upload takes at most ${MAX_PARTS} parts`);
        } catch (error) {
          if (!Buffer.isBuffer(payload)) await payload.release();
          throw error;
        }
        const part = partNumber;
        const upload = this.uploadPart(key, uploadId, part, payload)
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

  private async uploadPart(key: string, uploadId: string, part: number, payload: ObjectBody): Promise<{ etag: string }> {
    if (Buffer.isBuffer(payload)) {
      return this.client.uploadPart(
        { bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} },
        payload,
      );
    }
    try {
      const response = await this.sendStreamed(
        { method: 'PUT', objectName: key, query: `uploadId=${uploadId}&partNumber=${part}`, headers: {} },
        payload,
      );
      await drain(response);
      return { etag: unquoted(response.headers.etag ?? '') };
    } finally {
      await payload.release();
    }
  }

  /**
   * Writes part `part` of a multipart upload from bytes that are still
   * arriving (exactly `size` of them), so that receiving them and sending
   * them on overlap. Sent once, unsigned: there is nothing to replay and no
   * digest to sign, so a failure is the caller's to handle (destroying `body`
   * aborts the request). Integrity rests on TCP, as for any HTTPS client, and
   * on the session's SHA-256, measured over the whole body as it passes.
   */
  async uploadPartStreamed(key: string, uploadId: string, part: number, body: Readable, size: number): Promise<StoredPart> {
    const response = await this.passThroughClient.makeRequestStreamAsync(
      {
        method: 'PUT',
        bucketName: this.bucket,
        objectName: key,
        query: `uploadId=${uploadId}&partNumber=${part}`,
        headers: { 'Content-Length': String(size) },
      },
      body,
      '',
      [200],
      '',
    );
    await drain(response);
    return { part, etag: unquoted(response.headers.etag ?? '') };
  }

  /** One write whose body is streamed from `body` (opened again for a retry), with its length and digest. */
  private async sendStreamed(
    request: { method: 'PUT'; objectName: string; query?: string; headers: Record<string, string> },
    body: ReplayableBody,
  ): Promise<IncomingMessage> {
    if (this.signsPayloads && body.sha256 === undefined) throw new Error('a body sent over plain HTTP needs its SHA-256');
    const headers = { ...request.headers, 'Content-Length': String(body.size) };
    for (let attempt = 1; ; attempt += 1) {
      const stream = body.open();
      try {
        return await this.streamingClient.makeRequestStreamAsync(
          { ...request, bucketName: this.bucket, headers },
          stream,
          this.signsPayloads ? (body.sha256 ?? '') : '',
          [200],
          '',
        );
      } catch (error) {
        stream.destroy();
        const status = retryableStatusOf(error);
        if (status === undefined) throw error;
        if (attempt >= STREAMED_WRITE_ATTEMPTS) {
          throw Object.assign(new Error(`storage answered ${status} ${attempt} times`, { cause: error }), { code: 'ServiceUnavailable' });
        }
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
      }
    }
  }

  /**
   * Writes part `part` of a multipart upload as a copy of the whole object `sourceKey`, inside storage
   * (S3 UploadPartCopy): no byte passes through this process. The source must be at least
   * {@link MIN_PART_SIZE} unless it becomes the last part, and at most {@link MAX_COPY_PART_SIZE}.
   */
  async copyPart(key: string, uploadId: string, part: number, sourceKey: string): Promise<StoredPart> {
    const { etag } = await this.client.uploadPart({
      bucketName: this.bucket,
      objectName: key,
      uploadID: uploadId,
      partNumber: part,
      headers: { 'x-amz-copy-source': `${this.bucket}/${encodeURI(sourceKey)}` },
    });
    return { part, etag };
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

  /** An object's size, or undefined when there is none (a cache's lookup: absence is an answer, not an error). */
  async sizeOf(key: string): Promise<number | undefined> {
    try {
      return (await this.client.statObject(this.bucket, key)).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
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

  /**
   * Deletes every object under `prefix` but those `kept` names, a page of
   * 1000 at a time (never the whole listing in memory); returns how many
   * went. Objects written under it meanwhile may stay (the orphan sweeper
   * removes those no row owns).
   */
  async removePrefix(prefix: string, kept?: (keys: readonly string[]) => Promise<ReadonlySet<string>>): Promise<number> {
    if (prefix.length === 0 || !prefix.endsWith('/')) throw new Error(`refusing to remove the objects under ${JSON.stringify(prefix)}`);
    let removed = 0;
    const removePage = async (page: string[]): Promise<void> => {
      const keep = kept ? await kept(page) : new Set<string>();
      const doomed = page.filter((key) => !keep.has(key));
      if (doomed.length > 0) await this.client.removeObjects(this.bucket, doomed);
      removed += doomed.length;
    };
    let page: string[] = [];
    for await (const item of this.client.listObjectsV2(this.bucket, prefix, true)) {
      const { name } = item as { name?: string };
      if (name) page.push(name);
      if (page.length === 1000) {
        await removePage(page);
        page = [];
      }
    }
    if (page.length > 0) await removePage(page);
    return removed;
  }

  /** Deletes up to 1000 objects per request (S3 multi-object delete). */
  async removeMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      await this.client.removeObjects(this.bucket, keys.slice(start, start + 1000));
    }
  }
}

/**
 * minio answers a status it would retry (503, 429, 500…) with a plain error
 * naming it, when retrying is off (see `streamingClient`).
 */
function retryableStatusOf(error: unknown): number | undefined {
  const match = /Retryable HTTP status: (\d+)/.exec(error instanceof Error ? error.message : '');
  return match ? Number(match[1]) : undefined;
}

async function drain(response: IncomingMessage): Promise<void> {
  response.resume();
  if (!response.readableEnded) await once(response, 'end');
}

/** S3 quotes ETags (`"abc"`); completion takes them bare, as minio's own uploadPart returns them. */
function unquoted(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}
