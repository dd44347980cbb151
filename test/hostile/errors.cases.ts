import { adminAuth } from '../support/factories';
import { type HostileCase, J, json } from './hostile-case';

const NUL = 'a\u0000b';
const HIGH_ALONE = 'a\ud800b';
const LOW_ALONE = '\udc00b';
/** Text PostgreSQL cannot store (issue 9, item 3): NUL, and UTF-16 surrogates without their other half. */
const UNSTORABLE: readonly [label: string, text: string][] = [
  ['NUL', NUL],
  ['a lone high surrogate', HIGH_ALONE],
  ['a lone low surrogate', LOW_ALONE],
];

const upload = (id = '{upload}') => ({ sys: { type: 'Link', linkType: 'Upload', id } });
const file = (overrides: Record<string, unknown> = {}) => ({
  contentType: 'image/png',
  fileName: 'a.png',
  uploadFrom: upload(),
  ...overrides,
});

/**
 * Shared error mechanisms (issue 9, items 3 and 4): text PostgreSQL cannot
 * store, in every JSON string and every query parameter, is one 400
 * BadRequest before anything reaches the database, whatever the route.
 */
export function errorCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const assets = '/spaces/{space}/environments/master/assets';

  for (const [label, text] of UNSTORABLE) {
    const bodies: [name: string, method: HostileCase['method'], path: string, body: unknown, headers?: Record<string, string>][] = [
      ['space name', 'POST', '/spaces', { name: text }],
      ['environment name', 'PUT', '/spaces/{space}/environments/unstorable-env', { name: text }],
      ['locale name', 'POST', '/spaces/{space}/environments/master/locales', { name: text, code: 'fr-CA' }],
      ['locale code', 'POST', '/spaces/{space}/environments/master/locales', { name: 'x', code: text }],
      ['token name', 'POST', '/users/me/access_tokens', { name: text, scopes: ['content_management_read'] }],
      ['user first name', 'POST', '/users', { email: 'unstorable@tests.hangar.local', firstName: text }, adminAuth],
      ['user last name', 'POST', '/users', { email: 'unstorable@tests.hangar.local', lastName: text }, adminAuth],
      ['user email', 'POST', '/users', { email: `${text}@tests.hangar.local` }, adminAuth],
      [
        'member link id',
        'POST',
        '/spaces/{space}/space_memberships',
        { user: { sys: { type: 'Link', linkType: 'User', id: text } }, role: 'viewer' },
      ],
      ['asset title', 'POST', assets, { fields: { title: { 'en-US': text } } }],
      ['asset description', 'POST', assets, { fields: { description: { 'en-US': text } } }],
      ['asset content type', 'POST', assets, { fields: { file: { 'en-US': file({ contentType: text }) } } }],
      ['asset file name', 'POST', assets, { fields: { file: { 'en-US': file({ fileName: text }) } } }],
      ['upload link id', 'POST', assets, { fields: { file: { 'en-US': file({ uploadFrom: upload(text) }) } } }],
      ['locale key of a field', 'POST', assets, { fields: { title: { [text]: 'x' } } }],
      ['unknown key', 'POST', assets, { fields: {}, [text]: 1 }],
      ['title of an asset update', 'PUT', `${assets}/{asset}`, { fields: { title: { 'en-US': text } } }, { 'X-Contentful-Version': '1' }],
      ['title of an asset created by PUT', 'PUT', `${assets}/unstorable-asset`, { fields: { title: { 'en-US': text } } }],
    ];
    for (const [name, method, path, body, headers] of bodies)
      add({
        name: `${label} in the ${name}`,
        method,
        path,
        headers: { ...J, ...headers },
        body: json(body),
        status: 400,
        error: 'BadRequest',
      });
  }

  // Query values (and names) go through the simple parser, which decodes bytes as UTF-8: a surrogate cannot come
  // out of it (see the accepted case below), a %00 can.
  const queries = [
    'fields.title=a%00b',
    'sys.id=%00',
    'sys.id[in]=a,%00',
    'sys.id[nin]=%00,b',
    'fields.title[match]=%00',
    'fields.file.contentType=image%2Fpng%00',
    'fields.file.contentType[in]=image%2Fpng,%00',
    'limit=1&fields.title=ok&fields.title=%00',
    'sys.id%00=x',
    'skip=%00',
  ];
  for (const query of queries)
    add({ name: `assets query ${query}`, method: 'GET', path: `${assets}?${query}`, status: 400, error: 'BadRequest' });
  for (const path of [
    '/spaces?skip=%00',
    '/spaces/{space}/environments?limit=%00',
    '/spaces/{space}/environments/master/locales?x%00=1',
    '/spaces/{space}/space_memberships?skip=1%00',
    '/users/me?x=%00',
    '/spaces/{space}/environments/master/assets/{asset}?locale=%00',
  ])
    add({ name: `query ${path}`, method: 'GET', path, status: 400, error: 'BadRequest' });
  add({
    name: 'query refused before the token is looked at',
    method: 'GET',
    path: `${assets}?sys.id=%00`,
    headers: { Authorization: 'Bearer not-a-token' },
    status: 400,
    error: 'BadRequest',
  });
  add({
    name: 'assets query sys.id=%ED%A0%80 (an encoded surrogate)',
    method: 'GET',
    path: `${assets}?sys.id=%ED%A0%80`,
    status: 200,
    check: (response) => {
      // The parser decodes the invalid UTF-8 as replacement characters: storable text that names no asset.
      expect(response.body).toMatchObject({ sys: { type: 'Array' }, total: 0, items: [] });
    },
  });
  add({
    name: 'a surrogate pair (emoji) in a title is stored and read back',
    method: 'POST',
    path: assets,
    headers: J,
    body: json({ fields: { title: { 'en-US': 'emoji 😀 \ud83d\ude00' } } }),
    status: 201,
    check: (response) => {
      expect(response.body).toMatchObject({ fields: { title: { 'en-US': 'emoji 😀 😀' } } });
    },
  });
  return cases;
}
