import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { addMember, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';

/** Issue 9, item 3: NUL and unpaired surrogates are one 400 naming where they are, for any route and any token. */
describe('text PostgreSQL cannot store', () => {
  let api: RunningApi;
  let owner: TestUser;
  let spaceId: string;

  beforeAll(async () => {
    api = await startApi();
    owner = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, owner);
  });
  afterAll(async () => {
    await api.close();
  });

  const assets = () => `/spaces/${spaceId}/environments/master/assets`;

  it('in a JSON body: 400 BadRequest with the path of the string (a key names itself)', async () => {
    const bodies: [string, (string | number)[]][] = [
      ['{"fields":{"title":{"en-US":"a\\u0000b"}}}', ['fields', 'title', 'en-US']],
      ['{"fields":{"description":{"en-US":"ok"},"title":{"de-DE":"\\ud800"}}}', ['fields', 'title', 'de-DE']],
      ['{"fields":{"file":{"en-US":{"fileName":"x\\udc00.png"}}}}', ['fields', 'file', 'en-US', 'fileName']],
      ['{"fields":{"title":{"en-US\\u0000":"x"}}}', ['fields', 'title', 'en-US\u0000']],
    ];
    for (const [body, path] of bodies) {
      const response = await request(api.baseUrl).post(assets()).set(owner.auth).set('Content-Type', JSON_TYPE).send(body);
      expectContentfulError(response, 400, 'BadRequest');
      expect(response.body.details).toEqual({ path });
    }
  });

  it('in a query, even for a read-only token: 400 BadRequest naming the parameter', async () => {
    const reader = await newUser(api.baseUrl, ['content_management_read']);
    await addMember(api.baseUrl, spaceId, reader.id, 'viewer');
    await request(api.baseUrl).get(assets()).set(reader.auth).expect(200);
    for (const [query, parameter] of [
      ['fields.title=a%00b', 'fields.title'],
      ['sys.id=%00', 'sys.id'],
      ['sys.id[in]=a,%00', 'sys.id[in]'],
      ['sys.id[nin]=%00', 'sys.id[nin]'],
      ['fields.title[match]=%00', 'fields.title[match]'],
      ['fields.file.contentType[in]=%00', 'fields.file.contentType[in]'],
      ['sys.id%00=x', 'sys.id\u0000'],
    ]) {
      const response = await request(api.baseUrl).get(`${assets()}?${query}`).set(reader.auth);
      expectContentfulError(response, 400, 'BadRequest');
      expect(response.body.details).toEqual({ parameter });
    }
  });

  it('stores a well-formed surrogate pair as it came', async () => {
    const created = await request(api.baseUrl)
      .post(assets())
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send('{"fields":{"title":{"en-US":"cat \\ud83d\\udc31"}}}')
      .expect(201);
    const read = await request(api.baseUrl)
      .get(`${assets()}/${created.body.sys.id as string}`)
      .set(owner.auth)
      .expect(200);
    expect(read.body.fields.title).toEqual({ 'en-US': 'cat 🐱' });
  });
});
