import { HangarError } from '@hangar/domain';
import { ClientAbortedError, type IncomingBody } from '@hangar/ingest';
import { UrlencodedScanner, urlencodedBodyLimit } from './urlencoded-scanner';

export interface UrlencodedFileOptions {
  /** The field whose value is the file (Akana's `body`). */
  readonly field: string;
  /** UPLOAD_MAX_BYTES: the cap of the decoded file (the ingestion core counts it). */
  readonly maxFileBytes: number;
  readonly clientGone: () => boolean;
  /** The file's bytes when the form carried none (Akana: `?body=` in the query, or a new folder's `{}`), given the other fields. */
  readonly otherwise?: (fields: ReadonlyMap<string, string>) => Buffer | undefined;
  /** Checks the other fields once the form has been read (a refusal there is the body's failure: nothing is kept). */
  readonly check?: (fields: ReadonlyMap<string, string>) => void;
}

export function urlencodedTooLarge(maxBodyBytes: number): HangarError {
  return new HangarError('RequestEntityTooLarge', `Form bodies are limited to ${maxBodyBytes} bytes.`, { maxBytes: maxBodyBytes });
}

/**
 * An `application/x-www-form-urlencoded` request whose one field is a file,
 * as a body for the ingestion core: the field decoded as it arrives, the
 * request capped at {@link urlencodedBodyLimit} (3 × the file cap, as every
 * byte may be `%XX`, plus room for the other fields) — not the global JSON
 * body limit, and never held whole. The other fields are known once the body
 * has been read (`fields()`); they may come after the file.
 */
export function urlencodedFileBody(
  source: AsyncIterable<Buffer>,
  options: UrlencodedFileOptions,
): IncomingBody & { fields(): ReadonlyMap<string, string> | undefined } {
  const maxBodyBytes = urlencodedBodyLimit(options.maxFileBytes);
  const scanner = new UrlencodedScanner(options.field);
  let fields: ReadonlyMap<string, string> | undefined;

  async function* decoded(): AsyncGenerator<Buffer> {
    let received = 0;
    let yielded = 0;
    for await (const chunk of source) {
      received += chunk.length;
      if (received > maxBodyBytes) throw urlencodedTooLarge(maxBodyBytes);
      for (const bytes of scanner.feed(chunk)) {
        yielded += bytes.length;
        yield bytes;
      }
    }
    if (options.clientGone()) throw new ClientAbortedError();
    const end = scanner.end();
    options.check?.(end.fields);
    fields = end.fields;
    if (end.tail.length > 0) {
      yielded += end.tail.length;
      yield end.tail;
    }
    const fallback = yielded === 0 ? options.otherwise?.(end.fields) : undefined;
    if (fallback !== undefined && fallback.length > 0) yield fallback;
  }

  return { door: 'urlencoded', chunks: decoded(), declaredLength: undefined, clientGone: options.clientGone, fields: () => fields };
}
