import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, getAsset, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { newSpace, newUser } from './support/factories';
import { makeImage } from './support/images';
import { freePort, spawnApp, waitFor } from './support/processes';
import { testProcessEnv } from './support/test-env';

type Spawned = ReturnType<typeof spawnApp>;

/**
 * Two api and two worker processes (the built apps) over the same PostgreSQL,
 * Redis and MinIO: any api serves what another wrote, and every job runs once.
 */
describe('several replicas at once', () => {
  let inspector: RunningApi;
  const processes: Spawned[] = [];
  let clients: AssetClient[];

  beforeAll(async () => {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) processes.push(spawnApp('api', testProcessEnv({ PORT: String(port) })));
    processes.push(spawnApp('worker', testProcessEnv()), spawnApp('worker', testProcessEnv()));
    const baseUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    for (const baseUrl of baseUrls) {
      await waitFor(
        () =>
          fetch(`${baseUrl}/health/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        `${baseUrl} to be ready`,
      );
    }
    // An in-process app only to read the database afterwards.
    inspector = await startApi();
    const user = await newUser(baseUrls[0] ?? '');
    const spaceId = await newSpace(baseUrls[1] ?? '', user);
    clients = baseUrls.map((baseUrl) => ({ baseUrl, auth: user.auth, spaceId }));
  });
  afterAll(async () => {
    for (const { child, exited } of processes) {
      child.kill('SIGTERM');
      await exited;
    }
    await inspector.close();
  });

  it('serves uploads and assets through either api, and processes each request exactly once', async () => {
    const [a, b] = clients as [AssetClient, AssetClient];
    const assetIds: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
      const uploadId = await uploadBytes(writer, await makeImage(10 + i, 10));
      await request(reader.baseUrl).get(`/spaces/${reader.spaceId}/uploads/${uploadId}`).set(reader.auth).expect(200);
      const created = await createAsset(reader, { file: { 'en-US': fileField(uploadId, `r${i}.png`) } }).expect(201);
      const id = created.body.sys.id as string;
      await getAsset(writer, id).expect(200);
      await processLocale(writer, id, 'en-US', 1).expect(204);
      // A repeated process call through the other api is the same request, not a second job.
      await processLocale(reader, id, 'en-US', 1).expect(204);
      assetIds.push(id);
    }
    for (const [index, id] of assetIds.entries()) {
      const { body } = await waitForProcessing(index % 2 === 0 ? a : b, id, 'en-US');
      expect(body.fields.file?.['en-US']?.details?.image).toEqual({ width: 10 + index, height: 10 });
      expect(body.sys.version).toBe(2);
    }
    const files = await inspector.app.get(PrismaService).assetFile.findMany({ where: { assetId: { in: assetIds } } });
    expect(files).toHaveLength(12);
    // One handler run per request: the work was shared out, never done twice.
    expect(files?.every((file) => file.status === 'ready' && file.attempts === 1)).toBe(true);
  });
});
