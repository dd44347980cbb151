import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError, NotFoundError, ServiceUnavailableError } from '@hangar/domain';
import { HangarMetrics } from '@hangar/observability';
import { SlotSemaphoreService } from '@hangar/queue';
import { isNotFound, isStorageUnavailable, StorageService } from '@hangar/storage';
import { deliveryHeaders } from './delivery-headers';
import { canonicalRendition, type ImageFormat, type ImageParams, parseImageParams, renditionFormatOf } from './image-params';
import { CONTENT_TYPE_OF_FORMAT, type FaceLocator, type ImageInput, ImageRenderer } from './image-renderer';
import { renditionDigest, renditionKey, renditionSourcePrefix } from './rendition-keys';
import { RenditionObjectOwner, type SourceBytes } from './rendition-object.owner';
import { TransformLimiter, TransformsBusyError } from './transform-limiter';

/** The file a rendition is asked of, as its delivery found it. */
export interface RenditionSource {
  readonly spaceId: string;
  /** The SHA-256 of its bytes: names its renditions (null for rows from before it was kept: made, never cached). */
  readonly sha256: string | null;
  readonly objectKey: string;
  readonly size: number;
  /** The type delivery sends it with (decided from its bytes). */
  readonly contentType: string;
  readonly fileName: string;
  readonly lastModified: Date;
}

/** How a rendition was had: made by this request, read from the cache, or made by a concurrent request this one waited for. */
export type RenditionOrigin = 'computed' | 'cached' | 'shared';

/** A rendition as a response sends it (the shape of the api's stored-file responses). */
export interface DeliverableRendition {
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
  readonly contentDisposition: string;
  readonly origin: RenditionOrigin;
  open(range: { start: number; end: number } | undefined): Promise<Readable>;
}

/** A TOKEN for the optional face detector (libs/media FaceDetector); without one, `f=face` uses sharp's attention strategy. */
export const FACE_LOCATOR = Symbol('FACE_LOCATOR');

/** Sources up to this size are read into memory for sharp; larger ones go through a temporary file. */
const IN_MEMORY_SOURCE_BYTES = 32 * 1024 * 1024;
/** How long one replica may hold the right to make a rendition (renewed while it works; lapses if it dies). */
const MAKER_LEASE_MS = 30_000;
/** How often a request waiting for another's rendition looks for it. */
const WAIT_POLL_MS = 25;
/** How long a request waits for another's rendition before giving up with a 503. */
const WAIT_LIMIT_MS = 60_000;
/** Sizes of stored renditions remembered per process (about 100 bytes each). */
const KNOWN_SIZES = 50_000;

/** A rendition's bytes, and whether this request made them or shared another's. */
interface MadeRendition {
  readonly data: Buffer;
  readonly origin: 'computed' | 'shared';
}

/** 400: rendition parameters on something that is not a raster image. */
export class NotAnImageError extends HangarError {
  constructor(contentType: string) {
    super('BadRequest', `Image parameters apply to images only; this file is ${contentType}.`, { contentType });
  }
}

/**
 * Contentful's Images API on delivery URLs: a rendition is made once per
 * source bytes and normalised parameters, stored in the bucket
 * (`renditions/…`, owned by those bytes — RenditionObjectOwner), and served
 * from there ever after, like any stored file. Concurrent requests for one
 * uncached rendition make it once: in a process they share one promise;
 * across replicas one holds a Redis slot while the others wait for the
 * object. Transforms are bounded per process (TransformLimiter).
 */
@Injectable()
export class RenditionsService {
  private readonly logger = new Logger(RenditionsService.name);
  private readonly renderer: ImageRenderer;
  private readonly limiter: TransformLimiter;
  private readonly inFlight = new Map<string, Promise<MadeRendition & { stored: Promise<void> }>>();
  private readonly knownSizes = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly storage: StorageService,
    private readonly slots: SlotSemaphoreService,
    private readonly owner: RenditionObjectOwner,
    private readonly metrics: HangarMetrics,
    @Optional() @Inject(FACE_LOCATOR) faces?: FaceLocator,
  ) {
    this.renderer = new ImageRenderer(config.images.maxPixels, faces);
    this.limiter = new TransformLimiter(config.images.transformConcurrency, config.images.transformQueue);
  }

  /** The rendition `query` asks of `source`: 400 for parameters that are wrong or a file that is no image. */
  async deliver(source: RenditionSource, query: Readonly<Record<string, unknown>>): Promise<DeliverableRendition> {
    const rendition = await this.renditionOf(source, query);
    // How it was had: what the rendition cache saves (/metrics), counted where it is decided.
    this.metrics.renditions.inc({ outcome: rendition.origin });
    return rendition;
  }

  private async renditionOf(source: RenditionSource, query: Readonly<Record<string, unknown>>): Promise<DeliverableRendition> {
    if (!isRasterType(source.contentType)) throw new NotAnImageError(source.contentType);
    const params = parseImageParams(query);
    const format = renditionFormatOf(params, FORMAT_OF_TYPE[source.contentType]);
    const canonical = canonicalRendition(params, format);
    const headers = {
      lastModified: source.lastModified,
      contentType: CONTENT_TYPE_OF_FORMAT[format],
      contentDisposition: deliveryHeaders(CONTENT_TYPE_OF_FORMAT[format], renamed(source.fileName, format)).contentDisposition,
    };
    if (source.sha256 === null) {
      const rendered = await this.limiter.run(() => this.withInput(source, (input) => this.renderer.render(input, params)));
      const etag = `"${source.objectKey.replaceAll('"', '')}-${renditionDigest(canonical)}"`;
      const open = (range: { start: number; end: number } | undefined) =>
        Promise.resolve(Readable.from([range ? rendered.data.subarray(range.start, range.end + 1) : rendered.data]));
      return { ...headers, size: rendered.data.length, etag, origin: 'computed', open };
    }
    const key = renditionKey(source.spaceId, source.sha256, canonical, format);
    const etag = `"${source.sha256}-${renditionDigest(canonical)}"`;
    const cachedSize = await this.cachedSize(key);
    if (cachedSize !== undefined)
      return { ...headers, size: cachedSize, etag, origin: 'cached', open: (range) => this.readRendition(key, range) };
    const made = await this.made(key, source, params, canonical);
    // The bytes just made go out from memory while they are being stored.
    const open = (range: { start: number; end: number } | undefined) =>
      Promise.resolve(Readable.from([range ? made.data.subarray(range.start, range.end + 1) : made.data]));
    return { ...headers, size: made.data.length, etag, origin: made.origin, open };
  }

  /**
   * Removes the renditions of bytes no file of the space has any more; called
   * after a commit that let files go (the orphan sweeper removes any this
   * misses, or any made while it ran).
   */
  async release(sources: readonly SourceBytes[]): Promise<void> {
    const unique = [...new Map(sources.map((source) => [`${source.spaceId}/${source.sha256}`, source])).values()];
    if (unique.length === 0) return;
    try {
      const referenced = await this.owner.referenced(unique);
      const gone = unique.filter((source) => !referenced.has(`${source.spaceId}/${source.sha256}`));
      for (const source of gone) await this.storage.removePrefix(renditionSourcePrefix(source.spaceId, source.sha256));
    } catch (error) {
      this.logger.warn({ msg: 'could not remove renditions of released files', reason: (error as Error).message });
    }
  }

  /** Transforms running and waiting in this process. */
  get load(): { running: number; waiting: number } {
    return this.limiter.load;
  }

  /**
   * The size of a stored rendition, or undefined. Renditions never change
   * behind their key, so sizes seen are remembered (a bounded map, oldest
   * forgotten first): a cached rendition then costs storage one request, the
   * read, instead of two.
   */
  private async cachedSize(key: string): Promise<number | undefined> {
    const known = this.knownSizes.get(key);
    if (known !== undefined) return known;
    let size;
    try {
      size = await this.storage.sizeOf(key);
    } catch (error) {
      if (isStorageUnavailable(error)) throw new ServiceUnavailableError('storage');
      throw error;
    }
    if (size !== undefined) this.remember(key, size);
    return size;
  }

  private remember(key: string, size: number): void {
    this.knownSizes.set(key, size);
    if (this.knownSizes.size > KNOWN_SIZES) this.knownSizes.delete(this.knownSizes.keys().next().value ?? key);
  }

  /** A stored rendition; one removed since its size was remembered (its bytes were released) is forgotten and a 404. */
  private async readRendition(key: string, range: { start: number; end: number } | undefined): Promise<Readable> {
    try {
      return await this.read(key, range);
    } catch (error) {
      if (error instanceof NotFoundError) this.knownSizes.delete(key);
      throw error;
    }
  }

  /** The rendition made by this process, once, however many of its requests ask at the same time. */
  private made(key: string, source: RenditionSource, params: ImageParams, canonical: string): Promise<MadeRendition> {
    const running = this.inFlight.get(key);
    if (running) return running.then(({ data }) => ({ data, origin: 'shared' as const }));
    const making = this.makeOnce(key, source, params, canonical);
    this.inFlight.set(key, making);
    // Until it is stored (or failed), later requests share these bytes rather than look in storage for them.
    making.then(
      ({ stored }) => stored.finally(() => this.inFlight.delete(key)),
      () => this.inFlight.delete(key),
    );
    return making;
  }

  /**
   * Across replicas: the holder of the key's slot makes the rendition and
   * keeps the slot until it is stored; the others wait until it is (or the
   * slot frees without it — its maker failed or died — and then try to take
   * the slot themselves).
   */
  private async makeOnce(
    key: string,
    source: RenditionSource,
    params: ImageParams,
    canonical: string,
  ): Promise<MadeRendition & { stored: Promise<void> }> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const slot = await this.slots.tryAcquire(`rendition:${key}`, 1, MAKER_LEASE_MS);
      if (slot) {
        let stored: Promise<void> | undefined;
        try {
          // Another replica may have finished between our look and our slot.
          const existing = await this.storage.sizeOf(key);
          if (existing !== undefined) {
            return { data: await this.readWhole(key), origin: 'shared', stored: Promise.resolve() };
          }
          const data = await this.render(source, params, canonical);
          stored = this.store(key, data, CONTENT_TYPE_OF_FORMAT[renditionFormatOf(params, FORMAT_OF_TYPE[source.contentType])]).finally(
            () => slot.release(),
          );
          return { data, origin: 'computed', stored };
        } finally {
          if (stored === undefined) await slot.release();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      if ((await this.storage.sizeOf(key)) !== undefined)
        return { data: await this.readWhole(key), origin: 'shared', stored: Promise.resolve() };
      // The maker is alive (its lease is renewed) but slow: let the client come back rather than hold its connection.
      if (Date.now() > deadline) throw new TransformsBusyError(5);
    }
  }

  private async render(source: RenditionSource, params: ImageParams, canonical: string): Promise<Buffer> {
    const started = performance.now();
    const rendered = await this.limiter.run(() => this.withInput(source, (input) => this.renderer.render(input, params)));
    this.logger.log({
      msg: 'rendition made',
      source: source.objectKey,
      rendition: canonical,
      bytes: rendered.data.length,
      ms: Math.round(performance.now() - started),
    });
    return rendered.data;
  }

  /** Stores a rendition; a failure is logged (the next request makes it again), never the answer's. */
  private async store(key: string, data: Buffer, contentType: string): Promise<void> {
    try {
      await this.storage.putObject(key, data, contentType);
      this.remember(key, data.length);
    } catch (error) {
      this.logger.warn({ msg: 'could not store a rendition', key, reason: (error as Error).message });
    }
  }

  /** Gives the renderer the source's bytes: in memory when small, else in a temporary file removed afterwards. */
  private async withInput<T>(source: RenditionSource, use: (input: ImageInput) => Promise<T>): Promise<T> {
    if (source.size <= IN_MEMORY_SOURCE_BYTES) return use(await this.readWhole(source.objectKey));
    const directory = await mkdtemp(join(tmpdir(), 'hangar-rendition-'));
    try {
      const path = join(directory, 'source');
      await pipeline(await this.read(source.objectKey, undefined), createWriteStream(path));
      return await use(path);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  private async readWhole(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.read(key, undefined)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** A stored object (source or rendition): gone is a 404, storage out of reach a 503. */
  private async read(key: string, range: { start: number; end: number } | undefined): Promise<Readable> {
    try {
      return await this.storage.read(key, range);
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError('File');
      if (isStorageUnavailable(error)) throw new ServiceUnavailableError('storage');
      throw error;
    }
  }
}

/** The delivered types sharp is asked to transform: raster images (SVG and anything not an image are downloads). */
function isRasterType(contentType: string): boolean {
  return contentType.startsWith('image/') && !contentType.includes('svg');
}

/** Source formats as sharp names them, from the delivered type (which was decided from the bytes). */
const FORMAT_OF_TYPE: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
  'image/tiff': 'tiff',
};

const EXTENSION_OF_FORMAT: Readonly<Record<ImageFormat, string>> = {
  jpg: '.jpg',
  png: '.png',
  webp: '.webp',
  gif: '.gif',
  avif: '.avif',
  tiff: '.tiff',
};

/** The file name a rendition is offered under: the source's, with the extension of its format. */
function renamed(fileName: string, format: ImageFormat): string {
  const dot = fileName.lastIndexOf('.');
  return `${dot > 0 ? fileName.slice(0, dot) : fileName}${EXTENSION_OF_FORMAT[format]}`;
}
