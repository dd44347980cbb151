import { canonicalRendition, InvalidImageParameterError, parseImageParams, renditionFormatOf, wantsRendition } from './image-params';

const parse = (text: string) => parseImageParams(Object.fromEntries(new URLSearchParams(text)));

describe('Images API parameters', () => {
  test.each([
    ['w=0', 'w'],
    ['w=4001', 'w'],
    ['h=-5', 'h'],
    ['w=1.5', 'w'],
    ['w=abc', 'w'],
    ['fit=bogus&w=10', 'fit'],
    ['fit=thumb', 'fit'],
    ['f=middle', 'f'],
    ['q=0', 'q'],
    ['q=101', 'q'],
    ['fm=bmp', 'fm'],
    ['fl=interlaced', 'fl'],
    ['fl=png8&fm=jpg', 'fl'],
    ['fl=progressive&fm=png', 'fl'],
    ['bg=red', 'bg'],
    ['bg=rgb:ff00', 'bg'],
    ['r=round', 'r'],
  ])('%s is a 400 naming %s', (text, parameter) => {
    let thrown: unknown;
    try {
      parse(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidImageParameterError);
    expect((thrown as InvalidImageParameterError).status).toBe(400);
    expect((thrown as InvalidImageParameterError).details.parameter).toBe(parameter);
    expect((thrown as Error).message).toContain(`Invalid image parameter ${parameter}`);
  });

  test('a repeated parameter is refused', () => {
    expect(() => parseImageParams({ w: ['10', '20'] })).toThrow(InvalidImageParameterError);
  });

  test('the limits are accepted', () => {
    expect(parse('w=1&h=4000&q=1')).toMatchObject({ width: 1, height: 4000, quality: 1 });
    expect(parse('q=100&r=max&bg=rgb:A0b1C2')).toMatchObject({ quality: 100, radius: 'max', background: '#a0b1c2' });
  });

  test('one rendition has one name, however its query is written', () => {
    const named = (text: string, source = 'jpeg') => {
      const params = parse(text);
      return canonicalRendition(params, renditionFormatOf(params, source));
    };
    expect(named('w=100&h=50&fit=fill')).toBe(named('fit=fill&h=50&w=100&f=center'));
    expect(named('w=100')).toBe(named('w=100&fm=jpg'));
    // A focus means nothing without a fit that uses it.
    expect(named('w=100&f=top')).toBe(named('w=100'));
    expect(named('w=100&fit=crop&f=top')).not.toBe(named('w=100&fit=crop'));
    expect(named('w=100', 'png')).not.toBe(named('w=100', 'jpeg'));
    expect(named('w=100&bg=rgb:FFFFFF')).toBe(named('w=100&bg=rgb:ffffff'));
  });

  test('a source in another format is written as JPEG unless fm says otherwise', () => {
    expect(renditionFormatOf(parse('w=10'), 'heif')).toBe('jpg');
    expect(renditionFormatOf(parse('w=10&fm=webp'), 'heif')).toBe('webp');
  });

  test('only the Images API parameters ask for a rendition', () => {
    expect(wantsRendition({ v: '3' })).toBe(false);
    expect(wantsRendition({ version: '2', sig: 'x' })).toBe(false);
    expect(wantsRendition({ fm: 'webp' })).toBe(true);
  });
});
