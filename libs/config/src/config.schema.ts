import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const MEGABYTE = 1024 * 1024;

const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max)).default(fallback);

const url = (fallback: string, protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );

/**
 * A comma-separated list of host names, each normalized as a URL's host is
 * (lowercase, IPv4 forms such as `2130706433` written as `127.0.0.1`), so
 * that it compares equal to `new URL(…).hostname`. A name only: no scheme,
 * port, path or wildcard.
 */
const hostList = z
  .string()
  .trim()
  .default('')
  .transform((value, context) => {
    const hosts: string[] = [];
    for (const entry of value.split(',').map((item) => item.trim())) {
      if (entry === '') continue;
      const host = normalizedHost(entry);
      if (host === undefined) {
        context.addIssue({ code: 'custom', message: `has "${entry}", which is not a host name (no scheme, port, path or wildcard)` });
        return z.NEVER;
      }
      hosts.push(host);
    }
    return hosts;
  });

function normalizedHost(entry: string): string | undefined {
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(entry)) return undefined;
  try {
    const url = new URL(`http://${entry}`);
    return url.port === '' && url.pathname === '/' ? url.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** A key id: what a signed URL names (`kid`) so the key that made it can be found after rotation. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** Secrets shorter than this are refused: an HMAC key should carry at least 128 bits and be typed by no one. */
const MIN_SECRET_LENGTH = 32;

/**
 * `id:secret,id:secret,…`: every key a signed file URL may be made with; the
 * first signs new URLs, all of them verify (rotation: put the new key first,
 * keep the old one listed until the URLs it signed have expired).
 */
const signingKeyList = z
  .string()
  .trim()
  .default('')
  .transform((value, context) => {
    const keys: { id: string; secret: string }[] = [];
    for (const entry of value.split(',').map((item) => item.trim())) {
      if (entry === '') continue;
      const at = entry.indexOf(':');
      const id = at < 0 ? '' : entry.slice(0, at);
      const secret = at < 0 ? '' : entry.slice(at + 1);
      if (!KEY_ID.test(id) || secret.length < MIN_SECRET_LENGTH || keys.some((key) => key.id === id)) {
        context.addIssue({
          code: 'custom',
          message: `has an entry that is not id:secret (id of 1–32 letters, digits, - or _, each id once; secret of at least ${MIN_SECRET_LENGTH} characters)`,
        });
        return z.NEVER;
      }
      keys.push({ id, secret });
    }
    return keys;
  });

/**
 * Every setting Hangar reads, with defaults that point at the services
 * `npm run services:up` starts on loopback. README lists them all.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(3000, 0, 65535),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATABASE_URL: url('postgresql://hangar:hangar@127.0.0.1:55432/hangar', ['postgresql:', 'postgres:']),
  DATABASE_POOL_SIZE: integer(10, 1, 500),
  REDIS_URL: url('redis://127.0.0.1:56379', ['redis:', 'rediss:']),
  QUEUE_PREFIX: z.string().trim().min(1).default('hangar'),
  S3_ENDPOINT: url('http://127.0.0.1:59000', ['http:', 'https:']),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  // Where clients reach storage for presigned file URLs (FILE_URL_MODE=presigned); empty: S3_ENDPOINT.
  S3_PUBLIC_ENDPOINT: z
    .string()
    .trim()
    .default('')
    .refine(
      (value) => {
        if (value === '') return true;
        try {
          return ['http:', 'https:'].includes(new URL(value).protocol) && new URL(value).pathname === '/';
        } catch {
          return false;
        }
      },
      { message: 'must be a URL starting with http:// or https://, without a path' },
    ),
  S3_ACCESS_KEY: z.string().min(1).default('hangar'),
  S3_SECRET_KEY: z.string().min(1).default('hangar-secret-key'),
  S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
    .default('hangar'),
  PUBLIC_BASE_URL: url('http://localhost:3000', ['http:', 'https:']),
  HANGAR_ADMIN_TOKEN: z
    .string()
    .trim()
    .min(32, 'must be at least 32 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // Lower-cased as the users api stores every email: `Admin@X` must find the account `admin@x` names.
  HANGAR_ADMIN_EMAIL: z
    .email()
    .default('admin@hangar.local')
    .transform((email) => email.toLowerCase()),
  HANGAR_ADMIN_PROMOTE_EXISTING: z.enum(['true', 'false']).default('false'),
  UPLOAD_TTL_SECONDS: integer(86_400, 1),
  UPLOAD_MAX_BYTES: integer(1000 * MEGABYTE, 1),
  JSON_BODY_LIMIT_BYTES: integer(1 * MEGABYTE, 1024),
  PURGE_INTERVAL_SECONDS: integer(60, 1),
  BLOB_REAP_GRACE_SECONDS: integer(60, 0),
  UPLOAD_ABANDON_SECONDS: integer(6 * 3600, 1),
  UPLOAD_CONCURRENCY_PER_USER: integer(8, 0, 10_000),
  UPLOAD_IDLE_TIMEOUT_SECONDS: integer(30, 1, 3600),
  UPLOAD_SPOOL_DIR: z.string().trim().min(1).default(join(tmpdir(), 'hangar-upload-spool')),
  UPLOAD_MEMORY_BUFFER_BYTES: integer(32 * MEGABYTE, 0, 1024 * MEGABYTE),
  SHUTDOWN_TIMEOUT_SECONDS: integer(25, 1),
  ORPHAN_SWEEP_INTERVAL_SECONDS: integer(300, 1),
  ORPHAN_GRACE_SECONDS: integer(3600, 0),
  WORKER_CONCURRENCY: integer(4, 1, 256),
  JOB_LOCK_SECONDS: integer(30, 1, 3600),
  IMAGE_MAX_PIXELS: integer(100_000_000, 1),
  IMAGE_ANALYSIS_MAX_BYTES: integer(64 * MEGABYTE, 1),
  IMAGE_TRANSFORM_CONCURRENCY: integer(2, 1, 64),
  IMAGE_TRANSFORM_QUEUE: integer(16, 0, 10_000),
  WEBHOOK_MAX_ATTEMPTS: integer(3, 1, 100),
  WEBHOOK_RETRY_SECONDS: integer(30, 1, 3600),
  WEBHOOK_TIMEOUT_SECONDS: integer(30, 1, 300),
  WEBHOOK_FANOUT_INTERVAL_MS: integer(250, 0, 60_000),
  RATE_LIMIT_PER_SECOND: integer(100, 0, 1_000_000),
  AUTH_CACHE_SECONDS: integer(5, 0, 300),
  AUTH_FAILURES_PER_MINUTE: integer(30, 0, 1_000_000),
  TRUST_PROXY_HOPS: integer(0, 0, 16),
  CORS_ORIGINS: z.string().trim().default('*'),
  REMOTE_FETCH_ALLOW_HOSTS: hostList,
  REMOTE_FETCH_TIMEOUT_SECONDS: integer(600, 1, 86_400),
  FILE_URL_SIGNING_KEYS: signingKeyList,
  FILE_URL_DEFAULT_SECONDS: integer(3600, 1, 604_800),
  FILE_URL_MAX_SECONDS: integer(604_800, 1, 31_536_000),
  ZIP_MAX_ENTRIES: integer(10_000, 1, 100_000),
  ZIP_MAX_TOTAL_BYTES: integer(10_000 * MEGABYTE, 1),
  ZIP_MAX_COMPRESSION_RATIO: integer(100, 1, 1_000_000),
  FILE_URL_MODE: z.enum(['hangar', 'presigned']).default('hangar'),
  EVENT_STREAM_MAX_CONNECTIONS: integer(1000, 1, 100_000),
  EVENT_STREAM_POLL_MS: integer(200, 20, 10_000),
  EVENT_STREAM_BUFFER_BYTES: integer(256 * 1024, 1024, 64 * MEGABYTE),
  EVENT_STREAM_PING_SECONDS: integer(15, 1, 300),
  // Bearer token /metrics asks for (api and worker); empty: /metrics is open (keep it off the public network then).
  METRICS_TOKEN: z
    .string()
    .trim()
    .min(16, 'must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // Where the worker serves its own /metrics (it has no other HTTP server); empty: it serves none.
  WORKER_METRICS_PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // The built media library (`npm run build:web`), served at /library; relative to the working directory.
  LIBRARY_DIR: z.string().trim().min(1).default('dist/apps/web'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

export type RawConfig = z.output<typeof configSchema>;
