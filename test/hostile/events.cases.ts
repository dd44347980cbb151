import { type HostileCase, refused } from './hostile-case';

const EVENTS = '/spaces/{space}/environments/master/events';
/** No usable Authorization header, so the route looks at `?access_token=`. */
const NO_HEADER_TOKEN = { Authorization: '' };

/**
 * Pushed status (issue 14, item 3): every refusal comes before the stream
 * starts, as a Contentful-shaped error — resume positions that are no event,
 * tokens in the query that are no token, spaces and environments the caller
 * cannot see. (Accepted requests are streams that do not end; their tests are
 * in test/events-sse.e2e-spec.ts.)
 */
export function eventStreamCases(): HostileCase[] {
  return [
    refused('events: Last-Event-ID that is not a number', 'GET', EVENTS, 400, 'BadRequest', { headers: { 'Last-Event-ID': 'abc' } }),
    refused('events: Last-Event-ID beyond a bigint', 'GET', EVENTS, 400, 'BadRequest', { headers: { 'Last-Event-ID': '9'.repeat(40) } }),
    refused('events: Last-Event-ID of no event', 'GET', EVENTS, 400, 'BadRequest', { headers: { 'Last-Event-ID': '9223372036854775807' } }),
    refused('events: negative Last-Event-ID', 'GET', EVENTS, 400, 'BadRequest', { headers: { 'Last-Event-ID': '-1' } }),
    refused('events: ?lastEventId=__proto__', 'GET', `${EVENTS}?lastEventId=__proto__`, 400, 'BadRequest'),
    refused('events: ?lastEventId given twice', 'GET', `${EVENTS}?lastEventId=1&lastEventId=2`, 400, 'BadRequest'),
    refused('events: ?lastEventId with a NUL', 'GET', `${EVENTS}?lastEventId=1%00`, 400, 'BadRequest'),
    refused('events: a forged ?access_token=', 'GET', `${EVENTS}?access_token=forged`, 401, 'AccessTokenInvalid', {
      headers: NO_HEADER_TOKEN,
    }),
    refused('events: ?access_token= given twice is no token', 'GET', `${EVENTS}?access_token=a&access_token=b`, 401, 'AccessTokenInvalid', {
      headers: NO_HEADER_TOKEN,
    }),
    refused('events: a forged Authorization header', 'GET', EVENTS, 401, 'AccessTokenInvalid', {
      headers: { Authorization: 'Bearer forged' },
    }),
    refused('events of another space', 'GET', '/spaces/{other}/environments/master/events', 404, 'NotFound'),
    refused('events of an environment that does not exist', 'GET', '/spaces/{space}/environments/no-such-env/events', 404, 'NotFound'),
    refused('events of the environment __proto__', 'GET', '/spaces/{space}/environments/__proto__/events', 404, 'NotFound'),
    refused('events: writing to the stream', 'POST', EVENTS, 404, 'NotFound'),
  ];
}
