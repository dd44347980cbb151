import { resolve } from 'node:path';
import { configSchema, type RawConfig } from './config.schema';

export type LogLevel = RawConfig['LOG_LEVEL'];
/** `auto`: human-readable lines when stdout is a terminal, JSON lines otherwise. */
export type LogFormat = RawConfig['LOG_FORMAT'];

/** The typed, validated configuration every app builds once at boot. */
export interface AppConfig {
  readonly env: RawConfig['NODE_ENV'];
  /**
   * `trustProxyHops`: how many proxies in front of the api append to `X-Forwarded-For`; the client address is
   * the entry that many hops back (0: the socket's peer, and `X-Forwarded-For` is ignored).
   */
  readonly http: { readonly host: string; readonly port: number; readonly jsonBodyLimitBytes: number; readonly trustProxyHops: number };
  readonly database: { readonly url: string; readonly poolSize: number };
  readonly redis: { readonly url: string; readonly queuePrefix: string };
  readonly storage: {
    readonly endpoint: URL;
    readonly region: string;
    readonly accessKey: string;
    readonly secretKey: string;
    readonly bucket: string;
    /** Where clients reach storage (presigned URLs are signed for this host): S3_PUBLIC_ENDPOINT, else `endpoint`. */
    readonly publicEndpoint: URL;
  };
  readonly publicBaseUrl: URL;
  /**
   * Prometheus metrics: `token`, when set, is the Bearer token `/metrics` asks for (api and worker alike);
   * `workerPort`, when set, is where the worker serves its own `/metrics` (0: a free port, for tests).
   */
  readonly metrics: { readonly token: string | undefined; readonly workerPort: number | undefined };
  /** `promoteExisting`: whether `email` may name an existing user who is not yet an administrator. */
  readonly admin: { readonly token: string | undefined; readonly email: string; readonly promoteExisting: boolean };
  readonly uploads: {
    readonly ttlSeconds: number;
    readonly maxBytes: number;
    /** A body still streaming after this long is given up (its process died). */
    readonly abandonSeconds: number;
    /** Bodies one user may send at once, across every api replica; 0 turns the cap off. */
    readonly maxConcurrentPerUser: number;
    /** A body that sends nothing for this long is ended (408). */
    readonly idleTimeoutSeconds: number;
    /** Where parts wait on disk until they go to storage; local to this process's host or container. */
    readonly spoolDir: string;
    /** Small parts (≤ 1 MiB) this process may hold in memory at once instead of spooling them; 0: always spool. */
    readonly memoryBufferBytes: number;
  };
  /**
   * The purge round: expired uploads every `intervalSeconds`, then blobs nothing has referenced for
   * `blobGraceSeconds` (a read under way when the last reference went still finds its bytes).
   */
  readonly purge: { readonly intervalSeconds: number; readonly blobGraceSeconds: number };
  /** The sweep of objects no row owns; objects younger than the grace period are left alone. */
  readonly orphanSweep: { readonly intervalSeconds: number; readonly graceSeconds: number };
  readonly jobs: { readonly concurrency: number; readonly lockSeconds: number };
  /**
   * Images: `maxPixels` refuses larger images before decoding them (processing and renditions);
   * renditions are made at most `transformConcurrency` at a time per process, with at most
   * `transformQueue` more waiting — beyond that a new one is a 503 with Retry-After.
   * `analysisMaxBytes`: the largest image processing reads whole (into memory) to decode its
   * placeholder metadata; a larger one is measured from its header only.
   */
  readonly images: {
    readonly maxPixels: number;
    readonly analysisMaxBytes: number;
    readonly transformConcurrency: number;
    readonly transformQueue: number;
  };
  /**
   * Webhook delivery: attempts per event and webhook (the first and the retries, exponential from `retrySeconds`,
   * on timeouts, 429 and 5xx), how long one attempt may take, and how often the worker looks for new events
   * (0: this worker fans out no events — it still delivers what others fanned out).
   */
  readonly webhooks: {
    readonly maxAttempts: number;
    readonly retrySeconds: number;
    readonly timeoutSeconds: number;
    readonly fanoutIntervalMs: number;
  };
  /**
   * Outbound requests (remote import): `allowHosts` are URL host names that
   * may be fetched whatever address they resolve to and on any port; every
   * other host must resolve to public addresses only and use port 80 or 443.
   * `timeoutSeconds` bounds one whole remote import, body included.
   */
  readonly remoteFetch: { readonly allowHosts: readonly string[]; readonly timeoutSeconds: number };
  /**
   * Path-addressed files (libs/files). `signingKeys`: the keys signed file URLs are made and checked with (the first
   * signs; none: no signed URLs can be issued). A signed URL lives `defaultUrlSeconds` unless the request asks for
   * another lifetime, never more than `maxUrlSeconds`.
   */
  readonly files: {
    readonly signingKeys: readonly { readonly id: string; readonly secret: string }[];
    readonly defaultUrlSeconds: number;
    readonly maxUrlSeconds: number;
    /**
     * `hangar`: signed URLs are Hangar's own HMAC URLs under /file_delivery (ACL and version checked per request).
     * `presigned`: they are storage's presigned GETs at `storage.publicEndpoint`, which bypass the api (and cannot be
     * revoked before they expire; S3 caps them at 7 days).
     */
    readonly urlMode: 'hangar' | 'presigned';
  };
  /**
   * ZIP expansion (libs/files): an archive may hold at most `maxEntries` entries (files and folders) and
   * `maxTotalBytes` of uncompressed files (each file at most UPLOAD_MAX_BYTES); an entry of 1 MiB or more
   * may be at most `maxCompressionRatio` times its compressed size.
   */
  readonly zip: { readonly maxEntries: number; readonly maxTotalBytes: number; readonly maxCompressionRatio: number };
  /**
   * Pushed status (`GET …/environments/{e}/events`, Server-Sent Events), per api process: at most `maxConnections`
   * streams open at once (one more is a 503 with Retry-After); each environment with open streams is polled for new
   * events every `pollMs` by one query shared by all of them; a stream whose client lets more than `bufferBytes`
   * pile up unread is cut; a comment line goes out every `pingSeconds` so proxies keep idle streams open.
   */
  readonly eventStreams: {
    readonly maxConnections: number;
    readonly pollMs: number;
    readonly bufferBytes: number;
    readonly pingSeconds: number;
  };
  /** The media library's built files (absolute), served at /library; missing files make /library a 404 saying to build. */
  readonly library: { readonly dir: string };
  /** Requests per second per user (all their tokens together); 0 turns the limit off. */
  readonly rateLimitPerSecond: number;
  /** How long a token's principal and a member's role are kept per api process (0: looked up on every request). */
  readonly authCacheSeconds: number;
  /** Unknown or revoked tokens per client address per minute before its tokens are no longer looked up; 0: no limit. */
  readonly authFailuresPerMinute: number;
  /** Origins browsers may call the API from: `*` or an explicit list. */
  readonly corsOrigins: '*' | readonly string[];
  readonly shutdownTimeoutSeconds: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

/** The longest a presigned S3 URL may live (SigV4: 7 days). */
export const PRESIGNED_MAX_SECONDS = 604_800;

/** Thrown when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates `env` and builds the config. On failure the message is one line
 * naming the variable, e.g. `Invalid configuration: DATABASE_URL must be a URL…`.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const raw = parsed.data;
  if (raw.FILE_URL_MODE === 'presigned' && raw.FILE_URL_MAX_SECONDS > PRESIGNED_MAX_SECONDS) {
    throw new ConfigError(
      `Invalid configuration: FILE_URL_MAX_SECONDS must be at most ${PRESIGNED_MAX_SECONDS} with FILE_URL_MODE=presigned (S3's limit)`,
    );
  }
  return {
    env: raw.NODE_ENV,
    http: { host: raw.HOST, port: raw.PORT, jsonBodyLimitBytes: raw.JSON_BODY_LIMIT_BYTES, trustProxyHops: raw.TRUST_PROXY_HOPS },
    database: { url: raw.DATABASE_URL, poolSize: raw.DATABASE_POOL_SIZE },
    redis: { url: raw.REDIS_URL, queuePrefix: raw.QUEUE_PREFIX },
    storage: {
      endpoint: new URL(raw.S3_ENDPOINT),
      region: raw.S3_REGION,
      accessKey: raw.S3_ACCESS_KEY,
      secretKey: raw.S3_SECRET_KEY,
      bucket: raw.S3_BUCKET,
      publicEndpoint: new URL(raw.S3_PUBLIC_ENDPOINT === '' ? raw.S3_ENDPOINT : raw.S3_PUBLIC_ENDPOINT),
    },
    publicBaseUrl: new URL(raw.PUBLIC_BASE_URL),
    metrics: { token: raw.METRICS_TOKEN, workerPort: raw.WORKER_METRICS_PORT },
    admin: { token: raw.HANGAR_ADMIN_TOKEN, email: raw.HANGAR_ADMIN_EMAIL, promoteExisting: raw.HANGAR_ADMIN_PROMOTE_EXISTING === 'true' },
    uploads: {
      ttlSeconds: raw.UPLOAD_TTL_SECONDS,
      maxBytes: raw.UPLOAD_MAX_BYTES,
      abandonSeconds: raw.UPLOAD_ABANDON_SECONDS,
      maxConcurrentPerUser: raw.UPLOAD_CONCURRENCY_PER_USER,
      idleTimeoutSeconds: raw.UPLOAD_IDLE_TIMEOUT_SECONDS,
      spoolDir: raw.UPLOAD_SPOOL_DIR,
      memoryBufferBytes: raw.UPLOAD_MEMORY_BUFFER_BYTES,
    },
    purge: { intervalSeconds: raw.PURGE_INTERVAL_SECONDS, blobGraceSeconds: raw.BLOB_REAP_GRACE_SECONDS },
    orphanSweep: { intervalSeconds: raw.ORPHAN_SWEEP_INTERVAL_SECONDS, graceSeconds: raw.ORPHAN_GRACE_SECONDS },
    jobs: { concurrency: raw.WORKER_CONCURRENCY, lockSeconds: raw.JOB_LOCK_SECONDS },
    images: {
      maxPixels: raw.IMAGE_MAX_PIXELS,
      analysisMaxBytes: raw.IMAGE_ANALYSIS_MAX_BYTES,
      transformConcurrency: raw.IMAGE_TRANSFORM_CONCURRENCY,
      transformQueue: raw.IMAGE_TRANSFORM_QUEUE,
    },
    webhooks: {
      maxAttempts: raw.WEBHOOK_MAX_ATTEMPTS,
      retrySeconds: raw.WEBHOOK_RETRY_SECONDS,
      timeoutSeconds: raw.WEBHOOK_TIMEOUT_SECONDS,
      fanoutIntervalMs: raw.WEBHOOK_FANOUT_INTERVAL_MS,
    },
    remoteFetch: { allowHosts: raw.REMOTE_FETCH_ALLOW_HOSTS, timeoutSeconds: raw.REMOTE_FETCH_TIMEOUT_SECONDS },
    files: {
      signingKeys: raw.FILE_URL_SIGNING_KEYS,
      defaultUrlSeconds: Math.min(raw.FILE_URL_DEFAULT_SECONDS, raw.FILE_URL_MAX_SECONDS),
      maxUrlSeconds: raw.FILE_URL_MAX_SECONDS,
      urlMode: raw.FILE_URL_MODE,
    },
    zip: {
      maxEntries: raw.ZIP_MAX_ENTRIES,
      maxTotalBytes: raw.ZIP_MAX_TOTAL_BYTES,
      maxCompressionRatio: raw.ZIP_MAX_COMPRESSION_RATIO,
    },
    eventStreams: {
      maxConnections: raw.EVENT_STREAM_MAX_CONNECTIONS,
      pollMs: raw.EVENT_STREAM_POLL_MS,
      bufferBytes: raw.EVENT_STREAM_BUFFER_BYTES,
      pingSeconds: raw.EVENT_STREAM_PING_SECONDS,
    },
    library: { dir: resolve(raw.LIBRARY_DIR) },
    rateLimitPerSecond: raw.RATE_LIMIT_PER_SECOND,
    authCacheSeconds: raw.AUTH_CACHE_SECONDS,
    authFailuresPerMinute: raw.AUTH_FAILURES_PER_MINUTE,
    corsOrigins:
      raw.CORS_ORIGINS === '*'
        ? '*'
        : raw.CORS_ORIGINS.split(',')
            .map((origin) => origin.trim())
            .filter(Boolean),
    shutdownTimeoutSeconds: raw.SHUTDOWN_TIMEOUT_SECONDS,
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT,
  };
}
