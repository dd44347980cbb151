import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { EventStreamsService } from '../apps/api/src/events/event-streams.service';
import { type RunningApi, spawnApiProcess, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, processLocale, uploadBytes } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { waitFor } from './support/processes';
import { type EventData, SseClient } from './support/sse';
import { startWorker } from './support/worker-harness';

/** Polls fast and beats every second, so the tests wait little; the defaults are 200 ms and 15 s. */
const STREAM_SETTINGS = { EVENT_STREAM_POLL_MS: '50', EVENT_STREAM_PING_SECONDS: '1' };

/** `[topic, entity id]` of each message: what the tests compare with what they did. */
const seen = (client: SseClient) => client.data().map((data) => [data.topic, data.entity.id]);

/**
 * Pushed status (issue 14, item 3): an environment's domain events as
 * Server-Sent Events, resumable with Last-Event-ID on any replica. Every
 * expected event is one this test caused, named by the ids the API gave it.
 */
describe('GET /spaces/{s}/environments/{e}/events (Server-Sent Events)', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    api = await startApi(STREAM_SETTINGS);
    worker = await startWorker();
    user = await newUser(api.baseUrl);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  /** A new space of `user`, as an asset client. */
  async function space(baseUrl = api.baseUrl): Promise<AssetClient> {
    return { baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
  }

  const eventsUrl = (c: AssetClient, baseUrl = api.baseUrl, environmentId = 'master') =>
    `${baseUrl}/spaces/${c.spaceId}/environments/${environmentId}/events`;

  async function connect(url: string, headers: Record<string, string> = user.auth): Promise<SseClient> {
    const client = await SseClient.connect(url, headers);
    clients.push(client);
    return client;
  }

  /** Creates an asset with only a title (one `ContentManagement.Asset.create` event); its id. */
  async function newAsset(c: AssetClient, title: string): Promise<string> {
    return (await createAsset(c, { title: { 'en-US': title } }).expect(201)).body.sys.id as string;
  }

  const created = (ids: string[]) => ids.map((id) => ['ContentManagement.Asset.create', id]);

  it('a client connected before the upload receives its events in order, then Hangar.Asset.processed', async () => {
    const c = await space();
    const client = await connect(eventsUrl(c));
    expect(client.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(client.response.headers.get('cache-control')).toBe('no-cache, no-transform');

    const uploadId = await uploadBytes(c, await makeImage(16, 8));
    const assetId = (await createAsset(c, { file: { 'en-US': fileField(uploadId) } }).expect(201)).body.sys.id as string;
    await request(api.baseUrl)
      .put(`/spaces/${c.spaceId}/environments/master/assets/${assetId}`)
      .set(c.auth)
      .set('Content-Type', JSON_TYPE)
      .set('X-Contentful-Version', '1')
      .send({ fields: { title: { 'en-US': 'Renamed' }, file: { 'en-US': fileField(uploadId) } } })
      .expect(200);
    await processLocale(c, assetId, 'en-US', 2).expect(204);

    // Waiting for the event instead of polling the asset.
    await client.until((cl) => cl.data().some((d) => d.topic === 'Hangar.Asset.processed'), 'Hangar.Asset.processed');
    expect(seen(client)).toEqual([
      ['Hangar.Upload.create', uploadId],
      ['ContentManagement.Asset.create', assetId],
      ['ContentManagement.Asset.save', assetId],
      ['Hangar.Asset.processing_requested', assetId],
      ['Hangar.Asset.processed', assetId],
    ]);
    const processed = client.data().at(-1) as EventData;
    const message = client.messages.at(-1);
    expect(message?.event).toBe('Hangar.Asset.processed');
    expect(message?.id).toBe(processed.sys.id);
    expect(processed.entity).toEqual({ type: 'Asset', id: assetId });
    expect(processed.payload.sys).toMatchObject({ id: assetId, version: 3 });
    expect(processed.payload.fields?.file?.['en-US']?.url).toEqual(expect.any(String));
    expect(new Set(client.messages.map((m) => m.id)).size).toBe(client.messages.length);
    expect(client.retryMs).toBe(2000);
  });

  it('a client that reconnects with Last-Event-ID gets exactly what it missed (header or ?lastEventId=)', async () => {
    const c = await space();
    const first = await connect(eventsUrl(c));
    const before = [await newAsset(c, 'a1'), await newAsset(c, 'a2')];
    await first.until((cl) => cl.messages.length === 2, 'the first two events');
    expect(seen(first)).toEqual(created(before));
    const resumeAfter = first.lastEventId;
    await first.close();

    const missed = [await newAsset(c, 'a3'), await newAsset(c, 'a4'), await newAsset(c, 'a5')];
    const resumed = await connect(eventsUrl(c), { ...user.auth, 'Last-Event-ID': resumeAfter });
    const polyfill = await connect(`${eventsUrl(c)}?lastEventId=${resumeAfter}`);
    // The header wins over the query (a browser reconnecting keeps its first URL): here it resumes after a1.
    const both = await connect(`${eventsUrl(c)}?lastEventId=${resumeAfter}`, {
      ...user.auth,
      'Last-Event-ID': first.messages[0]?.id ?? '',
    });
    const after = await newAsset(c, 'a6');
    for (const client of [resumed, polyfill]) {
      await client.until((cl) => cl.messages.length === 4, 'the missed events and the next one');
      expect(seen(client)).toEqual(created([...missed, after]));
    }
    await both.until((cl) => cl.messages.length === 5, 'everything after a1');
    expect(seen(both)).toEqual(created([before[1] as string, ...missed, after]));
  });

  it('two api processes serve the same stream, and a client resumes on the other one', async () => {
    const { replica, url: other } = await spawnApiProcess(STREAM_SETTINGS);
    try {
      const c = await space();
      const here = await connect(eventsUrl(c));
      const there = await connect(eventsUrl(c, other));
      const moving = await connect(eventsUrl(c));
      // Changes through both apis.
      const ids = [await newAsset(c, 'here'), await newAsset({ ...c, baseUrl: other }, 'there'), await newAsset(c, 'here again')];
      await moving.until((cl) => cl.messages.length === 3, 'three events on the first api');
      const resumeAfter = moving.lastEventId;
      await moving.close();
      ids.push(await newAsset({ ...c, baseUrl: other }, 'while away'));
      const moved = await connect(eventsUrl(c, other), { ...user.auth, 'Last-Event-ID': resumeAfter });
      ids.push(await newAsset(c, 'last'));

      for (const client of [here, there]) await client.until((cl) => cl.messages.length === 5, 'five events');
      expect(seen(here)).toEqual(created(ids));
      expect(seen(there)).toEqual(created(ids));
      expect(there.messages.map((m) => m.id)).toEqual(here.messages.map((m) => m.id));
      await moved.until((cl) => cl.messages.length === 2, 'what it missed, from the other api');
      expect(seen(moved)).toEqual(created(ids.slice(3)));
      expect(moved.messages.map((m) => m.id)).toEqual(here.messages.slice(3).map((m) => m.id));
    } finally {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      replica.child.kill('SIGTERM');
      const exit = await replica.exited;
      // Open streams must not hold the replica's shutdown up.
      expect([exit.code, exit.stderr, exit.stdout.slice(-3000)]).toEqual([0, '', '']);
    }
  });

  it('takes the token as ?access_token= on this route only; a bad one is a 401', async () => {
    const c = await space();
    const client = await connect(`${eventsUrl(c)}?access_token=${encodeURIComponent(user.token)}`, {});
    const id = await newAsset(c, 'seen through a query token');
    await client.until((cl) => cl.messages.length === 1, 'the event');
    expect(seen(client)).toEqual(created([id]));

    const bad = await SseClient.refusal(`${eventsUrl(c)}?access_token=not-a-token`);
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ sys: { type: 'Error', id: 'AccessTokenInvalid' } });
    expect((await SseClient.refusal(eventsUrl(c))).status).toBe(401);
    // Any other route still wants the header.
    expectContentfulError(
      await request(api.baseUrl).get(`/spaces/${c.spaceId}/environments/master/assets?access_token=${encodeURIComponent(user.token)}`),
      401,
      'AccessTokenInvalid',
    );
  });

  it("never shows another space's or environment's events, nor a space to a non-member", async () => {
    const mine = await space();
    const theirs = await space();
    await request(api.baseUrl)
      .put(`/spaces/${mine.spaceId}/environments/staging`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'staging' })
      .expect(201);
    const client = await connect(eventsUrl(mine));
    const staging = await connect(eventsUrl(mine, api.baseUrl, 'staging'));
    const elsewhere = [await newAsset(theirs, 'other space'), await newAsset({ ...mine, environmentId: 'staging' }, 'other environment')];
    const marker = await newAsset(mine, 'marker');
    await client.until((cl) => cl.messages.length >= 1, 'the marker');
    await staging.until((cl) => cl.messages.length >= 1, 'the staging asset');
    expect(seen(client)).toEqual(created([marker]));
    expect(seen(staging)).toEqual(created([elsewhere[1] as string]));

    const stranger = await newUser(api.baseUrl);
    const refused = await SseClient.refusal(eventsUrl(mine), stranger.auth);
    expect([refused.status, refused.body]).toMatchObject([404, { sys: { id: 'NotFound' } }]);
    const unknown = await SseClient.refusal(eventsUrl(mine, api.baseUrl, 'nope'), user.auth);
    expect([unknown.status, unknown.body]).toMatchObject([404, { sys: { id: 'NotFound' }, details: { type: 'Environment' } }]);
  });

  it('refuses a Last-Event-ID that names no event, or is no id, with a 400', async () => {
    const c = await space();
    for (const lastEventId of ['9223372036854775807', 'abc', '-1', '99999999999999999999']) {
      const refused = await SseClient.refusal(eventsUrl(c), { ...user.auth, 'Last-Event-ID': lastEventId });
      expect([lastEventId, refused.status, refused.body]).toMatchObject([lastEventId, 400, { sys: { id: 'BadRequest' } }]);
    }
  });

  it('sends keep-alive comments, and disconnects leave no stream, feed or timer behind', async () => {
    const service = api.app.get(EventStreamsService);
    expect(service.activity()).toMatchObject({ streams: 0, starting: 0, feeds: 0, heartbeat: false });
    const c = await space();
    const other = await space();
    const streams = await Promise.all([
      ...Array.from({ length: 10 }, () => connect(eventsUrl(c))),
      ...Array.from({ length: 5 }, () => connect(eventsUrl(other))),
    ]);
    const id = await newAsset(c, 'for everyone');
    await Promise.all(streams.slice(0, 10).map((s) => s.until((cl) => cl.messages.length === 1, 'the event')));
    expect(service.activity()).toMatchObject({ streams: 15, feeds: 2, heartbeat: true });
    await (streams[0] as SseClient).until((cl) => cl.comments.includes('keep-alive'), 'a keep-alive comment', 3000);
    for (const s of streams.slice(0, 10)) expect(seen(s)).toEqual(created([id]));

    await Promise.all(clients.splice(0).map((client) => client.close()));
    await waitFor(() => service.activity().streams === 0, 5000, 'every stream to close');
    expect(service.activity()).toMatchObject({ streams: 0, starting: 0, feeds: 0, heartbeat: false });
    const queries = service.activity().queries;
    await new Promise((r) => setTimeout(r, 300)); // six poll intervals: nothing may poll any more
    expect(service.activity().queries).toBe(queries);
  });

  it('a hundred clients of one environment cost one query per poll, not a hundred', async () => {
    const service = api.app.get(EventStreamsService);
    const c = await space();
    const streams = await Promise.all(Array.from({ length: 100 }, () => connect(eventsUrl(c))));
    const before = service.activity().queries;
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    const queries = service.activity().queries - before;
    const polls = (Date.now() - started) / 50;
    // One feed polling every 50 ms: about `polls` queries (a hundred pollers would make a hundred times as many).
    expect(queries).toBeLessThanOrEqual(polls + 2);
    const id = await newAsset(c, 'fan-out');
    await Promise.all(streams.map((s) => s.until((cl) => cl.messages.length === 1, 'the event')));
    for (const s of streams) expect(seen(s)).toEqual(created([id]));
  });

  it('shutting an api down ends its open streams instead of waiting for them', async () => {
    const leaving = await startApi(STREAM_SETTINGS);
    let closed = false;
    try {
      const c = await space(leaving.baseUrl);
      const streams = [await connect(eventsUrl(c, leaving.baseUrl)), await connect(eventsUrl(c, leaving.baseUrl))];
      const started = Date.now();
      await leaving.close();
      closed = true;
      expect(Date.now() - started).toBeLessThan(5000);
      for (const stream of streams) await stream.until((cl) => cl.ended, 'the stream to end', 5000);
    } finally {
      if (!closed) await leaving.close();
    }
  });

  it('refuses a stream beyond EVENT_STREAM_MAX_CONNECTIONS with a 503 and Retry-After, and frees the slot on disconnect', async () => {
    const capped = await startApi({ ...STREAM_SETTINGS, EVENT_STREAM_MAX_CONNECTIONS: '2' });
    try {
      const c = await space(capped.baseUrl);
      const url = eventsUrl(c, capped.baseUrl);
      const open = [await connect(url), await connect(url)];
      const refused = await SseClient.refusal(url, user.auth);
      expect([refused.status, refused.body]).toMatchObject([503, { sys: { id: 'ServiceUnavailable' } }]);
      expect(refused.headers.get('retry-after')).toBe('5');
      await (open[0] as SseClient).close();
      const service = capped.app.get(EventStreamsService);
      await waitFor(() => service.activity().streams === 1, 5000, 'the closed stream to be let go');
      await connect(url);
    } finally {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      await capped.close();
    }
  });
});
