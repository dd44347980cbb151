import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from './collect-files';

describe('collectFiles', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hangar-cli-collect-'));
    mkdirSync(join(root, 'photos/2024'), { recursive: true });
    writeFileSync(join(root, 'photos/b.jpg'), 'bb');
    writeFileSync(join(root, 'photos/a.jpg'), 'a');
    writeFileSync(join(root, 'photos/.hidden'), 'hhh');
    writeFileSync(join(root, 'photos/2024/c.png'), 'cccc');
    writeFileSync(join(root, 'single.pdf'), 'ppppp');
  });

  it('takes files as given and folders recursively, in name order, with their sizes', async () => {
    const files = await collectFiles(['photos', join(root, 'single.pdf')], root);
    expect(files.map(({ path, bytes }) => [path, bytes])).toEqual([
      ['photos/.hidden', 3],
      ['photos/2024/c.png', 4],
      ['photos/a.jpg', 1],
      ['photos/b.jpg', 2],
      [join(root, 'single.pdf'), 5],
    ]);
    expect(files[2]?.absolutePath).toBe(join(root, 'photos/a.jpg'));
  });

  it('uploads a file named twice once, follows links to files and not links to folders', async () => {
    symlinkSync(join(root, 'single.pdf'), join(root, 'photos/link.pdf'));
    symlinkSync(root, join(root, 'photos/loop'));
    const files = await collectFiles(['single.pdf', 'photos', 'photos/a.jpg'], root);
    expect(files.map(({ path }) => path)).toEqual(['single.pdf', 'photos/.hidden', 'photos/2024/c.png', 'photos/a.jpg', 'photos/b.jpg']);
  });

  it('refuses a path that does not exist before anything is uploaded', async () => {
    await expect(collectFiles(['photos', 'missing.png'], root)).rejects.toThrow('missing.png: no such file or folder');
  });
});
