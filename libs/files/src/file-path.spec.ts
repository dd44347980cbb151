import { FilePath, type FilePathProblem, InvalidFilePathError } from './file-path';

function problemOf(raw: string | string[]): FilePathProblem | undefined {
  try {
    FilePath.parse(raw);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidFilePathError) return error.problem;
    throw error;
  }
}

describe('FilePath', () => {
  it('keeps a well-formed path as it is, and reads its parts', () => {
    const path = FilePath.parse('folder/sub/name.ext');
    expect(path.toString()).toBe('folder/sub/name.ext');
    expect(path.name).toBe('name.ext');
    expect(path.parent.toString()).toBe('folder/sub');
    expect(path.ancestors().map(String)).toEqual(['folder/sub', 'folder']);
    expect(FilePath.parse('top.txt').parent.isRoot).toBe(true);
  });

  it('reads Express wildcard segments and strings alike', () => {
    expect(FilePath.parse(['a', 'b c', 'd.txt']).toString()).toBe('a/b c/d.txt');
  });

  it('normalises each segment to NFC: composed and decomposed spellings are one path', () => {
    const composed = FilePath.parse('caf\u00e9/r\u00e9sum\u00e9.txt');
    const decomposed = FilePath.parse('cafe\u0301/re\u0301sume\u0301.txt');
    expect(decomposed.toString()).toBe(composed.toString());
  });

  it('encodes each segment for URLs, never the separators', () => {
    expect(FilePath.parse('a b/ü?#.txt').toUrlPath()).toBe('a%20b/%C3%BC%3F%23.txt');
  });

  it.each<[string, string | string[], FilePathProblem]>([
    ['nothing', '', 'empty'],
    ['no segments', [], 'empty'],
    ['two slashes', 'a//b', 'empty-segment'],
    ['a leading slash', '/a', 'empty-segment'],
    ['a trailing slash', 'a/', 'empty-segment'],
    ['..', 'a/../b', 'dot-segment'],
    ['.', './a', 'dot-segment'],
    ['...', 'a/...', 'dot-segment'],
    ['a slash inside a segment (%2F decoded)', ['a/b'], 'encoded-slash'],
    ['.. made of a decoded %2F', ['a/..', 'b'], 'encoded-slash'],
    ['a backslash', 'a\\..\\b', 'backslash'],
    ['NUL', 'a\u0000b', 'control-character'],
    ['a line feed', 'a\nb', 'control-character'],
    ['DEL', 'a\u007fb', 'control-character'],
    ['a C1 control', 'a\u0085b', 'control-character'],
    ['a right-to-left override', 'invoice\u202efdp.exe', 'bidi-control'],
    ['a lone surrogate', 'a\ud800b', 'unpaired-surrogate'],
    ['a segment of 256 bytes', 'x'.repeat(256), 'segment-too-long'],
    ['a segment of 128 two-byte characters', '\u00e9'.repeat(128), 'segment-too-long'],
    ['a path of 1025 bytes', `${'x'.repeat(255)}/${'x'.repeat(255)}/${'x'.repeat(255)}/${'x'.repeat(255)}/xxxx`, 'too-long'],
    ['33 segments', Array.from({ length: 33 }, () => 'd').join('/'), 'too-deep'],
  ])('refuses %s', (_name, raw, problem) => {
    expect(problemOf(raw)).toBe(problem);
  });

  it('takes the limits themselves', () => {
    expect(problemOf('x'.repeat(255))).toBeUndefined();
    const segments = Array.from({ length: 5 }, () => 'x'.repeat(204));
    expect(problemOf(segments.join('/'))).toBeUndefined(); // 1024 bytes
    expect(problemOf(`${segments.join('/')}x`)).toBe('too-long');
    expect(problemOf(Array.from({ length: 32 }, () => 'd').join('/'))).toBeUndefined();
    expect(problemOf('.hidden/..name/a..b')).toBeUndefined();
  });

  it('answers 400 BadRequest naming the problem', () => {
    const error = new InvalidFilePathError('dot-segment');
    expect([error.status, error.errorId, error.details]).toEqual([400, 'BadRequest', { reason: 'dot-segment' }]);
  });
});
