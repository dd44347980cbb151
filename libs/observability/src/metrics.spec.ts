import { Readable } from 'node:stream';
import { HangarMetrics, metricsAuthorized } from './metrics';

describe('metrics', () => {
  it('keeps a registry per instance: two apps in one process count apart', async () => {
    const first = new HangarMetrics();
    const second = new HangarMetrics();
    try {
      first.uploadBytes.inc({ door: 'tus' }, 5);
      expect(await first.registry.getSingleMetricAsString('hangar_upload_bytes_total')).toContain(
        'hangar_upload_bytes_total{door="tus"} 5',
      );
      expect(await second.registry.getSingleMetricAsString('hangar_upload_bytes_total')).not.toContain('door="tus"');
    } finally {
      first.onModuleDestroy();
      second.onModuleDestroy();
    }
  });

  it('counts the bytes of a body as they pass, unchanged, and times work by its result', async () => {
    const metrics = new HangarMetrics();
    try {
      const passed: Buffer[] = [];
      for await (const chunk of metrics.metered('multipart', Readable.from([Buffer.from('abc'), Buffer.from('de')]))) passed.push(chunk);
      expect(Buffer.concat(passed).toString()).toBe('abcde');
      await metrics.timed(metrics.uploadDuration, { door: 'multipart' }, () => Promise.resolve());
      await expect(metrics.timed(metrics.uploadDuration, { door: 'multipart' }, () => Promise.reject(new Error('no')))).rejects.toThrow(
        'no',
      );
      const text = await metrics.registry.metrics();
      expect(text).toContain('hangar_upload_bytes_total{door="multipart"} 5');
      expect(text).toContain('hangar_upload_duration_seconds_count{door="multipart",result="completed"} 1');
      expect(text).toContain('hangar_upload_duration_seconds_count{door="multipart",result="failed"} 1');
    } finally {
      metrics.onModuleDestroy();
    }
  });

  it('asks for the token as Bearer when one is set, compared whole', () => {
    expect(metricsAuthorized(undefined, undefined)).toBe(true);
    expect(metricsAuthorized('secret-token-0123', 'Bearer secret-token-0123')).toBe(true);
    expect(metricsAuthorized('secret-token-0123', 'bearer  secret-token-0123 ')).toBe(true);
    for (const sent of [
      undefined,
      '',
      'Bearer secret-token-012',
      'Bearer secret-token-01234',
      'Basic secret-token-0123',
      'secret-token-0123',
    ]) {
      expect([sent, metricsAuthorized('secret-token-0123', sent)]).toEqual([sent, false]);
    }
  });
});
