import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CurlAnswer {
  readonly status: number;
  /** Lower-cased names; the last value of a repeated header. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The body as JSON (throws when it is not). */
  json<T = Record<string, unknown>>(): T;
}

/**
 * Runs the real curl with a seed's own arguments (its examples are curl
 * command lines), so a test sends exactly what a client of that service
 * sends: `{files}` are written to a scratch folder first and `@{name}` in an
 * argument points at them.
 */
export async function curl(args: readonly string[], files: Record<string, Buffer | string> = {}): Promise<CurlAnswer> {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-curl-'));
  try {
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    const withFiles = args.map((arg) => arg.replace(/\{dir\}/g, dir));
    const headerFile = join(dir, '.headers');
    const bodyFile = join(dir, '.body');
    const status = await new Promise<number>((resolve, reject) => {
      execFile('curl', ['-s', '-S', '-D', headerFile, '-o', bodyFile, '-w', '%{http_code}', ...withFiles], (error, stdout, stderr) => {
        if ((error as { code?: unknown } | null)?.code === 'ENOENT')
          reject(new Error('The dialect suites run the seeds’ curl commands: install curl.'));
        else if (error) reject(new Error(`curl failed: ${stderr || error.message}`));
        else resolve(Number(stdout));
      });
    });
    const headers: Record<string, string> = {};
    const headerText = await readFile(headerFile, 'latin1');
    // The last response's headers only (a 100 Continue comes first).
    const blocks = headerText.split(/\r\n\r\n/).filter((block) => block.trim() !== '');
    for (const line of (blocks.at(-1) ?? '').split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = await readFile(bodyFile).catch(() => Buffer.alloc(0));
    return { status, headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
