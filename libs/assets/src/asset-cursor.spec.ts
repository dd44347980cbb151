import { HangarError } from '@hangar/domain';
import {
  type AssetOrderTerm,
  decodeCursor,
  encodeCursor,
  keysetSegments,
  keysetWhere,
  queryFingerprint,
  readingOrder,
} from './asset-cursor';

const ORDER: AssetOrderTerm[] = [
  { column: 'title', descending: false },
  { column: 'createdAt', descending: true },
  { column: 'id', descending: false },
];
const FINGERPRINT = queryFingerprint('management', 'fields.title[exists]=true', ORDER);
const KEY = ['Harbour', '2026-11-22T09:00:00.000Z', 'a1'];

function refusal(run: () => unknown): HangarError {
  try {
    run();
  } catch (error) {
    if (error instanceof HangarError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('asset cursor tokens', () => {
  it('round-trip: direction, key and inclusiveness', () => {
    const token = encodeCursor({ direction: 'prev', key: KEY, inclusive: true }, FINGERPRINT);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeCursor('pagePrev', token, ORDER, FINGERPRINT)).toEqual({ direction: 'prev', key: KEY, inclusive: true });
  });

  it('differ per query: another filter or order, or another collection, gives another fingerprint', () => {
    expect(queryFingerprint('published', 'fields.title[exists]=true', ORDER)).not.toBe(FINGERPRINT);
    expect(queryFingerprint('management', '', ORDER)).not.toBe(FINGERPRINT);
    expect(queryFingerprint('management', 'fields.title[exists]=true', readingOrder(ORDER, 'prev'))).not.toBe(FINGERPRINT);
  });

  const token = encodeCursor({ direction: 'next', key: KEY, inclusive: false }, FINGERPRINT);
  const [body = '', tag = ''] = token.split('.');
  const forged = (payload: unknown) => {
    const edited = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${edited}.${tag}`;
  };

  it.each([
    ['garbled', `${body.slice(0, -2)}xx.${tag}`],
    ['truncated', token.slice(0, -1)],
    ['without its tag', body],
    ['with an extra part', `${token}.x`],
    ['edited (the tag no longer fits)', forged({ v: 1, d: 'n', q: FINGERPRINT, k: ['Z', KEY[1], 'zz'] })],
    ['empty', ''],
    ['too long', 'a'.repeat(20_000)],
    ['not base64url', `${body}$.${tag}`],
  ])('are refused with 400 InvalidQuery when %s', (_name, value) => {
    const error = refusal(() => decodeCursor('pageNext', value, ORDER, FINGERPRINT));
    expect(error.status).toBe(400);
    expect(error.errorId).toBe('InvalidQuery');
    expect(error.details).toEqual({ parameter: 'pageNext' });
  });

  it('are refused for another query, or in the other direction', () => {
    const otherQuery = refusal(() => decodeCursor('pageNext', token, ORDER, queryFingerprint('management', '', ORDER)));
    expect(otherQuery.message).toMatch(/other filters or another order/);
    const otherDirection = refusal(() => decodeCursor('pagePrev', token, ORDER, FINGERPRINT));
    expect(otherDirection.message).toMatch(/pagePrev takes the token of pages.prev/);
  });

  it('whose key does not fit the order are refused (a value of the wrong type, the wrong length)', () => {
    const sign = (key: unknown[]) => encodeCursor({ direction: 'next', key: key as string[], inclusive: false }, FINGERPRINT);
    for (const key of [
      ['Harbour', 'yesterday', 'a1'],
      ['Harbour', 5, 'a1'],
      ['Harbour', KEY[1], null],
      ['Harbour', KEY[1]],
    ]) {
      expect(refusal(() => decodeCursor('pageNext', sign(key), ORDER, FINGERPRINT)).errorId).toBe('InvalidQuery');
    }
  });
});

describe('keyset conditions', () => {
  it('expand the order term by term, NULLs last ascending', () => {
    expect(keysetWhere(ORDER, KEY, false)).toEqual({
      OR: [
        { AND: [{ OR: [{ title: { gt: 'Harbour' } }, { title: null }] }] },
        { AND: [{ title: 'Harbour' }, { createdAt: { lt: new Date(KEY[1] as string) } }] },
        { AND: [{ title: 'Harbour' }, { createdAt: new Date(KEY[1] as string) }, { id: { gt: 'a1' } }] },
      ],
    });
  });

  it('past a NULL ascending only the next terms count; descending, the non-NULL values follow', () => {
    expect(keysetWhere(ORDER, [null, KEY[1] as string, 'a1'], false)).toEqual({
      OR: [
        { AND: [{ title: null }, { createdAt: { lt: new Date(KEY[1] as string) } }] },
        { AND: [{ title: null }, { createdAt: new Date(KEY[1] as string) }, { id: { gt: 'a1' } }] },
      ],
    });
    const reversed = readingOrder(ORDER, 'prev');
    expect(keysetWhere(reversed, [null, KEY[1] as string, 'a1'], false).OR?.[0]).toEqual({ AND: [{ title: { not: null } }] });
  });

  it('bound a non-nullable first column on its own (the index range), and take the key itself when inclusive', () => {
    const order: AssetOrderTerm[] = [
      { column: 'createdAt', descending: true },
      { column: 'id', descending: true },
    ];
    const at = new Date('2026-11-22T09:00:00.000Z');
    expect(keysetWhere(order, [at.toISOString(), 'b'], true)).toEqual({
      AND: [
        { createdAt: { lte: at } },
        {
          OR: [
            { AND: [{ createdAt: { lt: at } }] },
            { AND: [{ createdAt: at }, { id: { lt: 'b' } }] },
            { AND: [{ createdAt: at }, { id: 'b' }] },
          ],
        },
      ],
    });
  });
});

describe('keyset segments', () => {
  const byTitle: AssetOrderTerm[] = [
    { column: 'title', descending: false },
    { column: 'id', descending: false },
  ];

  it('read a nullable first column as an index range, then its NULL rows (ascending)', () => {
    expect(keysetSegments(byTitle, ['b', 'n4'], false)).toEqual([
      { AND: [{ title: { gte: 'b' } }, keysetWhere(byTitle, ['b', 'n4'], false)] },
      { title: null },
    ]);
  });

  it('past a NULL ascending: only NULL rows with a later id; descending, the NULL rows then every other', () => {
    const idAfter = keysetWhere([{ column: 'id', descending: false }], ['n5'], false);
    expect(idAfter).toEqual({ AND: [{ id: { gte: 'n5' } }, { OR: [{ AND: [{ id: { gt: 'n5' } }] }] }] });
    expect(keysetSegments(byTitle, [null, 'n5'], false)).toEqual([{ AND: [{ title: null }, idAfter] }]);
    const reversed = readingOrder(byTitle, 'prev');
    expect(keysetSegments(reversed, [null, 'n5'], false)).toEqual([
      { AND: [{ title: null }, keysetWhere([{ column: 'id', descending: true }], ['n5'], false)] },
      { title: { not: null } },
    ]);
    expect(keysetSegments(reversed, ['b', 'n4'], false)).toEqual([
      { AND: [{ title: { lte: 'b' } }, keysetWhere(reversed, ['b', 'n4'], false)] },
    ]);
  });

  it('leave a non-nullable first column to keysetWhere', () => {
    const order: AssetOrderTerm[] = [{ column: 'id', descending: false }];
    expect(keysetSegments(order, ['x'], true)).toEqual([keysetWhere(order, ['x'], true)]);
  });
});
