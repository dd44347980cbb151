import yauzl, { type Entry } from 'yauzl';
import yazl from 'yazl';
import { FilePath } from './file-path';
import {
  assertDirectorySize,
  ExpansionRefusedError,
  MAX_DIRECTORY_BYTES_PER_ENTRY,
  planExpansion,
  RATIO_FLOOR_BYTES,
  type ZipLimits,
} from './zip-guards';
import { explainZipError, readEntries } from './zip-reader';

const LIMITS: ZipLimits = { maxEntries: 100, maxEntryBytes: 4 * 1024 * 1024, maxTotalBytes: 6 * 1024 * 1024, maxCompressionRatio: 100 };
const FOLDER = FilePath.parse('target');

async function zipOf(items: { name: string; bytes?: Buffer; compress?: boolean }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    if (item.bytes === undefined) zip.addEmptyDirectory(item.name);
    else zip.addBuffer(item.bytes, item.name, { compress: item.compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Entries as the worker reads them (strict names, sizes validated), and where the central directory starts. */
async function entriesOf(archive: Buffer): Promise<{ entries: Entry[]; directory: number }> {
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(archive, { lazyEntries: true, strictFileNames: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const directory = (zipfile as unknown as { readEntryCursor: number }).readEntryCursor;
  const entries = await readEntries(zipfile);
  zipfile.close();
  return { entries, directory };
}

async function plan(archive: Buffer, limits = LIMITS) {
  const { entries, directory } = await entriesOf(archive);
  return planExpansion(entries, FOLDER, limits, directory);
}

async function refusal(archive: Buffer, limits = LIMITS): Promise<ExpansionRefusedError> {
  try {
    await plan(archive, limits);
  } catch (error) {
    if (error instanceof ExpansionRefusedError) return error;
    throw error;
  }
  throw new Error('the archive was not refused');
}

const text = (value: string) => Buffer.from(value);

describe('planExpansion', () => {
  it('plans files under the folder (NFC) and explicit folders, and counts the bytes', async () => {
    const result = await plan(
      await zipOf([{ name: 'a/' }, { name: 'a/b/cafe\u0301.txt', bytes: text('xyz') }, { name: 'c.txt', bytes: text('12') }]),
    );
    expect(result.folders.map(String)).toEqual(['target/a']);
    expect(result.files.map((file) => file.path.toString())).toEqual(['target/a/b/caf\u00e9.txt', 'target/c.txt']);
    expect(result.bytes).toBe(5);
  });

  it('lets a directory entry repeat an implicit folder, and a small compressible entry pass the ratio', async () => {
    const zeros = Buffer.alloc(RATIO_FLOOR_BYTES - 1);
    const result = await plan(await zipOf([{ name: 'd/x.bin', bytes: zeros }, { name: 'd/' }]));
    expect(result.files).toHaveLength(1);
  });

  it.each([
    [
      'too many entries',
      () =>
        zipOf([
          { name: 'a', bytes: text('1') },
          { name: 'b', bytes: text('2') },
        ]),
      { ...LIMITS, maxEntries: 1 },
      'too-many-entries',
      undefined,
    ],
    [
      'an entry over the per-entry cap',
      () => zipOf([{ name: 'big', bytes: Buffer.alloc(5 * 1024 * 1024, 7), compress: false }]),
      LIMITS,
      'entry-too-large',
      'big',
    ],
    [
      'files over the total',
      () => zipOf([1, 2].map((n) => ({ name: `f${n}`, bytes: Buffer.alloc(3.5 * 1024 * 1024, n), compress: false }))),
      LIMITS,
      'total-too-large',
      'f2',
    ],
    ['a bomb', () => zipOf([{ name: 'zeros', bytes: Buffer.alloc(2 * 1024 * 1024) }]), LIMITS, 'compression-ratio', 'zeros'],
    ['an empty file', () => zipOf([{ name: 'empty.txt', bytes: Buffer.alloc(0) }]), LIMITS, 'empty-file', 'empty.txt'],
    ['a dot segment', () => zipOf([{ name: 'a/./b', bytes: text('x') }]), LIMITS, 'invalid-path', 'a/./b'],
    [
      'a file where a folder must be',
      () =>
        zipOf([
          { name: 'x/', bytes: undefined },
          { name: 'x', bytes: text('1') },
        ]),
      LIMITS,
      'duplicate-name',
      'x',
    ],
  ])('refuses %s', async (_label, build, limits, reason, entry) => {
    const refused = await refusal(await build(), limits);
    expect(refused.reason).toBe(reason);
    expect(refused.entry).toBe(entry);
  });

  it('refuses entries whose data overlap (two directory records pointing at one local file)', async () => {
    const { entries, directory } = await entriesOf(
      await zipOf([
        { name: 'one.txt', bytes: text('first') },
        { name: 'two.txt', bytes: text('second') },
      ]),
    );
    const [first, second] = entries as [Entry, Entry];
    second.relativeOffsetOfLocalHeader = first.relativeOffsetOfLocalHeader + 10;
    expect(() => planExpansion(entries, FOLDER, LIMITS, directory)).toThrow(
      expect.objectContaining({ reason: 'overlapping-entries', entry: 'one.txt' }) as Error,
    );
  });

  it('refuses an entry whose data reach into the central directory', async () => {
    const { entries, directory } = await entriesOf(await zipOf([{ name: 'one.txt', bytes: text('first') }]));
    expect(() => planExpansion(entries, FOLDER, LIMITS, directory - 1)).toThrow(
      expect.objectContaining({ reason: 'overlapping-entries' }) as Error,
    );
  });

  it('refuses a method yauzl cannot decode', async () => {
    const { entries, directory } = await entriesOf(await zipOf([{ name: 'odd.bin', bytes: text('odd bytes') }]));
    (entries[0] as Entry).compressionMethod = 14;
    expect(() => planExpansion(entries, FOLDER, LIMITS, directory)).toThrow(
      expect.objectContaining({ reason: 'unsupported-compression', entry: 'odd.bin' }) as Error,
    );
  });
});

describe('assertDirectorySize', () => {
  it('takes what real archives use, and refuses records inflated past the bound (a name, extra fields and a comment of 64 KiB each)', async () => {
    const archive = await zipOf(Array.from({ length: 50 }, (_, index) => ({ name: `folder/file-${index}.txt`, bytes: text('x') })));
    const { directory } = await entriesOf(archive);
    expect(() => assertDirectorySize(archive.length - directory, 50)).not.toThrow();
    expect(() => assertDirectorySize(10 * 3 * 65_535, 10)).toThrow(expect.objectContaining({ reason: 'directory-too-large' }) as Error);
    expect(() => assertDirectorySize(2 * MAX_DIRECTORY_BYTES_PER_ENTRY, 2)).not.toThrow();
  });
});

describe('explainZipError', () => {
  it.each([
    ['invalid relative path: ../x', 'unsafe-path', '../x'],
    ['absolute path: /etc/passwd', 'unsafe-path', '/etc/passwd'],
    ['invalid characters in fileName: a\\b', 'unsafe-path', 'a\\b'],
    ['End of central directory record signature not found. Either not a zip file, or file is truncated.', 'corrupt-archive', undefined],
    ['strong encryption is not supported', 'encrypted', undefined],
  ])('%s → %s', (message, reason, entry) => {
    const explained = explainZipError(new Error(message));
    expect(explained).toBeInstanceOf(ExpansionRefusedError);
    expect(explained).toMatchObject({ reason, entry });
  });
});
