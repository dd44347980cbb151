import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults every setting to the local services', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.database.url).toBe('postgresql://hangar:hangar@127.0.0.1:55432/hangar');
    expect(config.redis.url).toBe('redis://127.0.0.1:56379');
    expect(config.storage.endpoint.href).toBe('http://127.0.0.1:59000/');
    expect(config.storage.bucket).toBe('hangar');
    expect(config.uploads).toEqual({
      ttlSeconds: 86_400,
      maxBytes: 1000 * 1024 * 1024,
      abandonSeconds: 21_600,
      maxConcurrentPerUser: 8,
      idleTimeoutSeconds: 30,
      spoolDir: join(tmpdir(), 'hangar-upload-spool'),
      memoryBufferBytes: 32 * 1024 * 1024,
    });
    expect(config.admin.token).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.logFormat).toBe('auto');
    expect(config.remoteFetch.allowHosts).toEqual([]);
    expect(config.authFailuresPerMinute).toBe(30);
    expect(config.http.trustProxyHops).toBe(0);
    expect(config.admin.promoteExisting).toBe(false);
    expect(config.zip).toEqual({ maxEntries: 10_000, maxTotalBytes: 10_000 * 1024 * 1024, maxCompressionRatio: 100 });
    expect(config.eventStreams).toEqual({ maxConnections: 1000, pollMs: 200, bufferBytes: 256 * 1024, pingSeconds: 15 });
  });

  it('reads the event stream settings', () => {
    const config = loadConfig({
      EVENT_STREAM_MAX_CONNECTIONS: '5',
      EVENT_STREAM_POLL_MS: '100',
      EVENT_STREAM_BUFFER_BYTES: '4096',
      EVENT_STREAM_PING_SECONDS: '1',
    });
    expect(config.eventStreams).toEqual({ maxConnections: 5, pollMs: 100, bufferBytes: 4096, pingSeconds: 1 });
  });

  it('reads FILE_URL_SIGNING_KEYS as id:secret pairs, first one first, and bounds the default URL lifetime by the maximum', () => {
    expect(loadConfig({}).files).toEqual({ signingKeys: [], defaultUrlSeconds: 3600, maxUrlSeconds: 604_800, urlMode: 'hangar' });
    const secret = 's'.repeat(32);
    const config = loadConfig({ FILE_URL_SIGNING_KEYS: ` new:${secret}:with-colon , old:${secret} `, FILE_URL_MAX_SECONDS: '600' });
    expect(config.files).toEqual({
      signingKeys: [
        { id: 'new', secret: `${secret}:with-colon` },
        { id: 'old', secret },
      ],
      defaultUrlSeconds: 600,
      maxUrlSeconds: 600,
      urlMode: 'hangar',
    });
  });

  it('reads FILE_URL_MODE and S3_PUBLIC_ENDPOINT (default: S3_ENDPOINT), and keeps presigned URLs within S3’s 7 days', () => {
    const config = loadConfig({ FILE_URL_MODE: 'presigned', S3_PUBLIC_ENDPOINT: 'https://files.example.com' });
    expect(config.files.urlMode).toBe('presigned');
    expect(config.storage.publicEndpoint.href).toBe('https://files.example.com/');
    expect(loadConfig({ S3_ENDPOINT: 'http://minio:9000' }).storage.publicEndpoint.href).toBe('http://minio:9000/');
    expect(() => loadConfig({ FILE_URL_MODE: 'presigned', FILE_URL_MAX_SECONDS: '604801' })).toThrow(/FILE_URL_MAX_SECONDS/);
    expect(() => loadConfig({ FILE_URL_MODE: 'minio' })).toThrow(/FILE_URL_MODE/);
    expect(() => loadConfig({ S3_PUBLIC_ENDPOINT: 'https://files.example.com/bucket' })).toThrow(/S3_PUBLIC_ENDPOINT/);
  });

  it('reads REMOTE_FETCH_ALLOW_HOSTS as host names normalized as a URL normalizes its host', () => {
    const config = loadConfig({ REMOTE_FETCH_ALLOW_HOSTS: ' localhost, Media.Internal ,,10.0.0.5,[::1]' });
    expect(config.remoteFetch.allowHosts).toEqual(['localhost', 'media.internal', '10.0.0.5', '[::1]']);
  });

  it('reads the authentication limits and the administrator promotion flag', () => {
    const config = loadConfig({ AUTH_FAILURES_PER_MINUTE: '0', TRUST_PROXY_HOPS: '2', HANGAR_ADMIN_PROMOTE_EXISTING: 'true' });
    expect(config.authFailuresPerMinute).toBe(0);
    expect(config.http.trustProxyHops).toBe(2);
    expect(config.admin.promoteExisting).toBe(true);
  });

  it('reads HANGAR_ADMIN_EMAIL in lower case, as the users api stores emails', () => {
    expect(loadConfig({ HANGAR_ADMIN_EMAIL: 'Ops.Admin@Example.COM' }).admin.email).toBe('ops.admin@example.com');
  });

  it.each(['auto', 'json', 'pretty'] as const)('reads LOG_FORMAT=%s', (format) => {
    expect(loadConfig({ LOG_FORMAT: format }).logFormat).toBe(format);
  });

  it('reads and converts the documented variables', () => {
    const config = loadConfig({
      PORT: '8080',
      UPLOAD_TTL_SECONDS: '60',
      UPLOAD_MAX_BYTES: '1024',
      PURGE_INTERVAL_SECONDS: '5',
      UPLOAD_CONCURRENCY_PER_USER: '0',
      UPLOAD_IDLE_TIMEOUT_SECONDS: '5',
      UPLOAD_SPOOL_DIR: '/var/spool/hangar',
      HANGAR_ADMIN_TOKEN: 'x'.repeat(40),
      PUBLIC_BASE_URL: 'https://media.example.com',
    });
    expect(config.http.port).toBe(8080);
    expect(config.uploads).toEqual({
      ttlSeconds: 60,
      maxBytes: 1024,
      abandonSeconds: 21_600,
      maxConcurrentPerUser: 0,
      idleTimeoutSeconds: 5,
      spoolDir: '/var/spool/hangar',
      memoryBufferBytes: 32 * 1024 * 1024,
    });
    expect(config.purge.intervalSeconds).toBe(5);
    expect(config.admin.token).toBe('x'.repeat(40));
    expect(config.publicBaseUrl.host).toBe('media.example.com');
  });

  it.each([
    ['DATABASE_URL', 'mysql://nope'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['UPLOAD_MAX_BYTES', '0'],
    ['UPLOAD_IDLE_TIMEOUT_SECONDS', '0'],
    ['UPLOAD_CONCURRENCY_PER_USER', '-1'],
    ['S3_BUCKET', 'Bad_Bucket'],
    ['HANGAR_ADMIN_TOKEN', 'short'],
    ['LOG_FORMAT', 'text'],
    ['REMOTE_FETCH_ALLOW_HOSTS', 'http://localhost'],
    ['REMOTE_FETCH_ALLOW_HOSTS', 'localhost:8080'],
    ['REMOTE_FETCH_ALLOW_HOSTS', '*.internal'],
    ['REMOTE_FETCH_ALLOW_HOSTS', 'media.internal/x'],
    ['AUTH_FAILURES_PER_MINUTE', '-1'],
    ['TRUST_PROXY_HOPS', 'yes'],
    ['HANGAR_ADMIN_PROMOTE_EXISTING', 'yes'],
    ['FILE_URL_SIGNING_KEYS', 'no-colon-here'],
    ['FILE_URL_SIGNING_KEYS', `k1:${'s'.repeat(31)}`],
    ['FILE_URL_SIGNING_KEYS', `k1:${'s'.repeat(32)},k1:${'t'.repeat(32)}`],
    ['FILE_URL_SIGNING_KEYS', `bad id:${'s'.repeat(32)}`],
    ['ZIP_MAX_ENTRIES', '0'],
    ['ZIP_MAX_TOTAL_BYTES', 'lots'],
    ['ZIP_MAX_COMPRESSION_RATIO', '0'],
    ['EVENT_STREAM_MAX_CONNECTIONS', '0'],
    ['EVENT_STREAM_POLL_MS', '5'],
    ['EVENT_STREAM_BUFFER_BYTES', '100'],
    ['EVENT_STREAM_PING_SECONDS', '0'],
  ])('refuses an invalid %s with one line naming it', (name, value) => {
    const load = () => loadConfig({ [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^Invalid configuration: ${name} `));
    try {
      load();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
