import { request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface RawUploadOptions {
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
  /** Chunks written one by one, `delayMs` apart (chunked encoding unless a Content-Length header is given). */
  chunks: Buffer[];
  delayMs?: number;
  /** Destroy the socket after writing this many chunks, without ending the body. */
  abortAfterChunks?: number;
}

/**
 * Sends a body chunk by chunk over a real socket and resolves with the response
 * (if any arrives), even when the server answers before the body is done.
 */
export async function rawUpload(options: RawUploadOptions): Promise<RawResponse | 'aborted'> {
  const url = new URL(options.path, options.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: options.headers, agent: false });
    let settled = false;
    const settle = (value: RawResponse | 'aborted') => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        settle({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    // Writing after the server answered and closed is expected in these tests.
    req.on('error', (error) =>
      options.abortAfterChunks === undefined && !settled ? setTimeout(() => settled || reject(error), 500) : undefined,
    );
    const write = async () => {
      for (const [index, chunk] of options.chunks.entries()) {
        if (settled || req.destroyed) return;
        if (options.abortAfterChunks !== undefined && index === options.abortAfterChunks) {
          req.destroy();
          settle('aborted');
          return;
        }
        req.write(chunk);
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      }
      if (options.abortAfterChunks !== undefined) {
        req.destroy();
        settle('aborted');
        return;
      }
      req.end();
    };
    void write();
  });
}
