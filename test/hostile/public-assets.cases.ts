import { type HostileCase, refused } from './hostile-case';

const PUBLIC = '/spaces/{space}/environments/master/public/assets';
const PUBLIC_NO_ENV = '/spaces/{space}/public/assets';
const ASSETS = '/spaces/{space}/assets';

/**
 * The published-assets collection (issue 12 item 4) under both route forms,
 * and what items 5–7 added to every asset read: cursor tokens, the array form
 * of `order`, `locale` and `select`. A client's mistake is a 400 naming it,
 * never a 500 and never ignored.
 */
export function publicAssetCases(): HostileCase[] {
  return [
    refused('published assets of another space', 'GET', '/spaces/{other}/public/assets', 404, 'NotFound'),
    refused(
      'published assets of an environment that does not exist',
      'GET',
      '/spaces/{space}/environments/nope/public/assets',
      404,
      'NotFound',
    ),
    refused(
      'published assets of the environment __proto__',
      'GET',
      '/spaces/{space}/environments/__proto__/public/assets',
      404,
      'NotFound',
    ),
    refused('published assets ordered by __proto__', 'GET', `${PUBLIC}?order=__proto__`, 400, 'InvalidQuery'),
    refused('published assets filtered by an unknown parameter', 'GET', `${PUBLIC_NO_ENV}?fields.secret=1`, 400, 'InvalidQuery'),
    refused(
      'published assets ordered both as order and order[0]',
      'GET',
      `${PUBLIC}?order=sys.id&order%5B0%5D=sys.id`,
      400,
      'InvalidQuery',
    ),
    refused('published assets ordered by order[99999]', 'GET', `${PUBLIC}?order%5B99999%5D=sys.id`, 400, 'InvalidQuery'),
    refused('a garbled pageNext', 'GET', `${PUBLIC}?cursor=true&pageNext=eyJ2IjoxfQ.AAAA`, 400, 'InvalidQuery'),
    refused('a pagePrev of 12,000 characters', 'GET', `${PUBLIC}?cursor=true&pagePrev=${'a'.repeat(12_000)}`, 400, 'InvalidQuery'),
    refused('a pageNext that is JSON, not a token', 'GET', `${PUBLIC}?cursor=true&pageNext=%7B%22k%22%3A%5B%5D%7D`, 400, 'InvalidQuery'),
    refused('a pageNext without cursor=true', 'GET', `${PUBLIC}?pageNext=abc`, 400, 'InvalidQuery'),
    refused('a pageNext given twice', 'GET', `${PUBLIC}?cursor=true&pageNext=a&pageNext=b`, 400, 'InvalidQuery'),
    refused('pageNext and pagePrev together', 'GET', `${ASSETS}?cursor=true&pageNext=a&pagePrev=b`, 400, 'InvalidQuery'),
    refused('skip with cursor=true', 'GET', `${ASSETS}?cursor=true&skip=10`, 400, 'InvalidQuery'),
    refused('cursor=constructor', 'GET', `${PUBLIC}?cursor=constructor`, 400, 'InvalidQuery'),
    refused('an unknown locale', 'GET', `${PUBLIC}?locale=xx-XX`, 400, 'BadRequest'),
    refused('the locale __proto__', 'GET', `${ASSETS}/{asset}?locale=__proto__`, 400, 'BadRequest'),
    refused('an empty locale', 'GET', `${PUBLIC}?locale=`, 400, 'InvalidQuery'),
    refused('a select three levels deep', 'GET', `${PUBLIC}?select=fields.file.url`, 400, 'InvalidQuery'),
    refused('a select of a prototype property', 'GET', `${ASSETS}/{asset}?select=__proto__`, 400, 'InvalidQuery'),
    refused('a select of a field assets do not have', 'GET', `${PUBLIC}?select=fields.constructor`, 400, 'InvalidQuery'),
    refused(
      'a select of 101 properties',
      'GET',
      `${ASSETS}?select=${Array.from({ length: 101 }, () => 'sys.id').join(',')}`,
      400,
      'InvalidQuery',
    ),
    {
      name: 'order[0]=… orders published assets as the SDK sends it',
      method: 'GET',
      path: `${PUBLIC}?order%5B0%5D=-sys.createdAt&select=sys.id`,
      status: 200,
      check: (response) => {
        const body = response.body as { sys: unknown; items: { sys: object }[] };
        expect(body.sys).toEqual({ type: 'Array' });
        for (const item of body.items) expect(Object.keys(item)).toEqual(['sys']);
      },
    },
  ];
}
