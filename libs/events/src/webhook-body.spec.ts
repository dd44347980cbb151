import { renderTransformationBody } from './webhook-body';

describe('renderTransformationBody', () => {
  const context = {
    topic: 'ContentManagement.Asset.publish',
    actorId: 'user-1',
    payload: { sys: { id: 'a1', version: 3 }, fields: { title: { 'en-US': 'Hafen' } } },
  };

  test('a whole placeholder keeps its value’s type; one inside text becomes text', () => {
    expect(
      renderTransformationBody(
        {
          id: '{ /payload/sys/id }',
          version: '{/payload/sys/version}',
          sys: '{ /payload/sys }',
          text: 'asset {/payload/sys/id} by {/user/sys/id}',
          topic: '{ /topic }',
          keep: 42,
        },
        context,
      ),
    ).toEqual({
      id: 'a1',
      version: 3,
      sys: { id: 'a1', version: 3 },
      text: 'asset a1 by user-1',
      topic: 'ContentManagement.Asset.publish',
      keep: 42,
    });
  });

  test('pointers that lead nowhere give null, or nothing inside text; escapes follow RFC 6901', () => {
    expect(
      renderTransformationBody({ a: '{ /payload/nope }', b: 'x{/payload/nope}y', c: ['{ /payload/fields/title/en-US }'] }, context),
    ).toEqual({
      a: null,
      b: 'xy',
      c: ['Hafen'],
    });
    expect(renderTransformationBody('{ /payload/a~1b }', { ...context, payload: { 'a/b': 1 } })).toBe(1);
  });
});
