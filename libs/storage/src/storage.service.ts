import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Client } from 'minio';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { settleWithin } from '@hangar/domain';

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

  /** Streams `body` into `key`; `size` lets the client skip multipart buffering for small bodies. */
  async putStream(key: string, body: Readable, size?: number, contentType = 'application/octet-stream'): Promise<void> {
    await this.client.putObject(this.bucket, key, body, size, { 'Content-Type': contentType });
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

  /** Deletes one object; deleting a missing object is not an error. */
  async remove(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }

  /** Deletes up to 1000 objects per request (S3 multi-object delete). */
  async removeMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      await this.client.removeObjects(this.bucket, keys.slice(start, start + 1000));
    }
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}
