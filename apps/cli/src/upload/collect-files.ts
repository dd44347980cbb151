import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** A file to upload: how the user's arguments name it, and where it is. */
export interface LocalFile {
  /** The path as given, or a folder argument joined with the path inside it. */
  readonly path: string;
  readonly absolutePath: string;
  readonly bytes: number;
}

/**
 * The files the arguments name: files as given, folders recursively (every regular file, hidden ones included,
 * in name order; symbolic links to files are followed, links to folders are not, so a link cannot loop). A file
 * named twice (directly, through a folder, or a link) is uploaded once. A path that does not exist is an error
 * before anything is uploaded.
 */
export async function collectFiles(args: readonly string[], cwd: string): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  const seen = new Set<string>();

  const addFile = async (path: string, absolutePath: string, bytes: number) => {
    const real = await realpath(absolutePath);
    if (seen.has(real)) return;
    seen.add(real);
    files.push({ path, absolutePath, bytes });
  };

  const walk = async (folder: string, absoluteFolder: string): Promise<void> => {
    const entries = (await readdir(absoluteFolder, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const absolutePath = join(absoluteFolder, entry.name);
      if (entry.isDirectory()) await walk(path, absolutePath);
      else if (entry.isFile()) await addFile(path, absolutePath, (await stat(absolutePath)).size);
      else if (entry.isSymbolicLink()) {
        const target = await stat(absolutePath).catch(() => undefined);
        if (target?.isFile()) await addFile(path, absolutePath, target.size);
      }
    }
  };

  for (const arg of args) {
    const absolutePath = resolve(cwd, arg);
    let info;
    try {
      info = await stat(absolutePath);
    } catch (error) {
      throw new Error(
        `${arg}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`,
      );
    }
    if (info.isDirectory()) await walk(arg, absolutePath);
    else if (info.isFile()) await addFile(arg, absolutePath, info.size);
    else throw new Error(`${arg}: not a file or folder`);
  }
  return files;
}
