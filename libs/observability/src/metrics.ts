import { timingSafeEqual } from 'node:crypto';
import { Global, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every way bytes reach the ingestion core, as the upload metrics name it. */
export type UploadDoor = 'octet-stream' | 'multipart' | 'base64' | 'urlencoded' | 'files' | 'tus' | 'remote' | 'zip' | 'empty';

/** How a rendition was answered (`X-Hangar-Rendition`). */
export type RenditionOutcome = 'computed' | 'cached' | 'shared';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The Prometheus metrics of one app (api or worker), in a registry of its own:
 * prom-client's global registry would be shared by every app a process makes
 * (several per Jest run) and refuse a second metric of the same name. One
 * instance per Nest application, made by {@link MetricsModule}.
 */
@Injectable()
export class HangarMetrics implements OnModuleDestroy {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'hangar_http_requests_total',
    help: 'HTTP requests answered, by route template (the unmatched ones as "unmatched"), method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'hangar_http_request_duration_seconds',
    help: 'Time from a request arriving to its response finishing, by route template, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly uploadBytes = new Counter({
    name: 'hangar_upload_bytes_total',
    help: 'Bytes received by the ingestion core, by door (those of failed bodies included).',
    labelNames: ['door'] as const,
    registers: [this.registry],
  });

  readonly uploadDuration = new Histogram({
    name: 'hangar_upload_duration_seconds',
    help: 'Time one body (one request; one PATCH for tus) took through the ingestion core, by door and result.',
    labelNames: ['door', 'result'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'hangar_job_duration_seconds',
    help: 'Time one attempt of a queued job took, by queue, job and result (completed or failed).',
    labelNames: ['queue', 'job', 'result'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly purgeRounds = new Counter({
    name: 'hangar_upload_purge_rounds_total',
    help: 'Upload purge rounds this worker ran (rounds another replica claimed are not counted).',
    registers: [this.registry],
  });

  readonly purgedUploads = new Counter({
    name: 'hangar_uploads_purged_total',
    help: 'Expired or abandoned uploads the purge removed (the row, and the object of one never completed).',
    registers: [this.registry],
  });

  readonly reapedBlobs = new Counter({
    name: 'hangar_blobs_reaped_total',
    help: 'Stored bytes (blobs) the purge removed once nothing referenced them for BLOB_REAP_GRACE_SECONDS.',
    registers: [this.registry],
  });

  readonly sweepRounds = new Counter({
    name: 'hangar_orphan_sweep_rounds_total',
    help: 'Orphan sweep rounds this worker ran.',
    registers: [this.registry],
  });

  readonly sweptObjects = new Counter({
    name: 'hangar_orphans_removed_total',
    help: 'What the orphan sweep removed because no row owned it: objects, and multipart uploads it aborted.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly renditions = new Counter({
    name: 'hangar_rendition_responses_total',
    help: 'Images API answers by how the rendition was had (X-Hangar-Rendition): computed, cached or shared.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose value is read when Prometheus scrapes (queue depths, backlogs): state others keep, never a copy. */
  scrapeTimeGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (gauge: Gauge<L>) => Promise<void>,
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await read(this);
      },
    });
  }

  /** Times `work`, recording its duration with `result` completed or failed; its outcome is passed on unchanged. */
  async timed<L extends string, T>(histogram: Histogram<L>, labels: Partial<Record<L, string>>, work: () => Promise<T>): Promise<T> {
    const end = histogram.startTimer(labels);
    try {
      const result = await work();
      end({ result: 'completed' } as Partial<Record<L, string>>);
      return result;
    } catch (error) {
      end({ result: 'failed' } as Partial<Record<L, string>>);
      throw error;
    }
  }

  /** Counts the bytes of `chunks` for `door` as they pass, unchanged. */
  async *metered(door: UploadDoor, chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const counter = this.uploadBytes.labels(door);
    for await (const chunk of chunks) {
      counter.inc(chunk.length);
      yield chunk;
    }
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}

/** Provides one {@link HangarMetrics} per application. */
@Global()
@Module({ providers: [HangarMetrics], exports: [HangarMetrics] })
export class MetricsModule {}

/**
 * Whether `authorization` carries the metrics token (`Bearer <token>`); any request does when no token is set.
 * Compared in constant time: the token guards an endpoint anyone can reach.
 */
export function metricsAuthorized(expected: string | undefined, authorization: string | undefined): boolean {
  if (expected === undefined) return true;
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
