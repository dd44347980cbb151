import { pipeline, Readable } from 'node:stream';
import { Busboy, type BusboyFileStream, type BusboyHeaders } from '@fastify/busboy';
import { HangarError } from '@hangar/domain';
import { ClientAbortedError, idleLimited, type IncomingBody, UploadTooLargeError } from '@hangar/ingest';
import type { HangarRequest } from '../common/http-request';
import { checkedDescription } from './upload-description';

/**
 * What one multipart/form-data request may hold. busboy's own defaults are
 * Infinity for every count, which would let one request open sessions
 * without end; these are generous for a form and small for an attack.
 * The size of each file is UPLOAD_MAX_BYTES, like any upload.
 */
export const FORM_LIMITS = {
  /** File parts: each is an upload session, written in turn. */
  files: 100,
  /** Text parts. */
  fields: 100,
  /** All parts, files and text together. */
  parts: 200,
  /** A text part's value: the only ones read are a file name and a media type. */
  fieldSize: 4 * 1024,
  fieldNameSize: 200,
  /** Header lines of one part (Content-Disposition, Content-Type and a few more). */
  headerPairs: 20,
  /** Bytes of one part's headers: a 255-character file name, percent-encoded, fits many times over. */
  headerSize: 16 * 1024,
} as const;

/**
 * Text fields that describe the next file part, as `fields.file[locale]` of
 * an asset would: `fileName` and `contentType`. They come before the file
 * they describe (a form is read as it arrives, and a file is stored before
 * what follows it is read) and take precedence over the part's own filename
 * and Content-Type. Every other text field is allowed and ignored.
 */
export const DESCRIBING_FIELDS = ['fileName', 'contentType'] as const;
type DescribingField = (typeof DESCRIBING_FIELDS)[number];

export class FormLimitError extends HangarError {
  constructor(limit: 'parts' | 'files' | 'fields') {
    super('RequestEntityTooLarge', `A form may hold at most ${FORM_LIMITS[limit]} ${limit === 'fields' ? 'text fields' : limit}.`, {
      limit,
      max: FORM_LIMITS[limit],
    });
  }
}

function malformedForm(reason: string): HangarError {
  return new HangarError('BadRequest', `The multipart/form-data body is malformed: ${reason}.`);
}

type FormEvent =
  | { kind: 'file'; field: string; stream: BusboyFileStream; fileName: string | undefined; contentType: string }
  | { kind: 'field'; name: string; value: string; truncated: boolean }
  | { kind: 'end' }
  | { kind: 'failed'; error: unknown };

/** Events pushed by the parser, pulled one at a time by the reader. */
class EventQueue<T> {
  private readonly items: T[] = [];
  private waiting: ((item: T) => void) | undefined;

  push(item: T): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(item);
    else this.items.push(item);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

/**
 * A file part's bytes. busboy ends a part that reaches `fileSize` quietly and
 * skips the rest: without this check a cut file would be stored as if whole.
 */
async function* fileChunks(stream: BusboyFileStream, maxBytes: number, explain: (error: unknown) => unknown): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    // The part's own error (Dicer: "Part terminated early") may arrive before the form's.
    throw explain(error);
  }
  if (stream.truncated) throw new UploadTooLargeError(maxBytes);
}

/** The part, or undefined when it has no bytes (a form's file input with no file chosen). */
function nonEmpty(stream: BusboyFileStream): Promise<BusboyFileStream | undefined> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', reject);
      outcome();
    };
    const onReadable = () => {
      const first = stream.read() as Buffer | null;
      if (first !== null) settle(() => resolve((stream.unshift(first), stream)));
    };
    const onEnd = () => settle(() => resolve(undefined));
    stream.on('readable', onReadable).once('end', onEnd).once('error', reject);
  });
}

/**
 * A Content-Type with one `boundary` parameter: the last, when a client sent
 * several. curl given `-H 'content-type: multipart/form-data; boundary=X'`
 * with `-F` (as the Comapi seed's own example does) appends its own
 * `; boundary=…` and writes the body with that one; busboy would take the
 * first and find no part.
 */
export function withLastBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const boundaries = [...contentType.matchAll(/;\s*boundary\s*=\s*("[^"]*"|[^;]*)/gi)];
  const last = boundaries.at(-1);
  if (boundaries.length < 2 || last === undefined) return contentType;
  return `${contentType.replace(/;\s*boundary\s*=\s*("[^"]*"|[^;]*)/gi, '')}; boundary=${last[1]?.trim() ?? ''}`;
}

export interface FormReadOptions {
  /** UPLOAD_MAX_BYTES: the cap of each file. */
  readonly maxFileBytes: number;
  /** UPLOAD_IDLE_TIMEOUT_SECONDS, in ms: counted on the whole request, between parts too. */
  readonly idleMs: number;
  /** False: a form without a file part is no error (the bodies just end); Capillary's placeholder. Default true. */
  readonly requireFile?: boolean;
  /** Text fields a dialect reads (Comapi's `folder`): the value last seen before a file part comes with it. */
  readonly keptFields?: readonly string[];
}

/** One file part of a form: its bytes, and the kept text fields sent before it. */
export interface FormFileBody extends IncomingBody {
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * The file parts of a multipart/form-data request (RFC 7578), as bodies for
 * the ingestion core, in the order they arrive: each is streamed into its
 * session before the next part is parsed, so nothing but busboy's small
 * stream buffers is held. A malformed body or boundary is a 400, a limit of
 * {@link FORM_LIMITS} a 413, a form without a file part a 400. File names
 * arrive as raw UTF-8 or as RFC 5987 `filename*` (busboy reads both; RFC
 * 7578 forbids the latter, but clients send it); a path in a file name
 * (`C:\Temp\a.png`) is reduced to its last segment.
 */
export async function* formFileBodies(request: HangarRequest, options: FormReadOptions): AsyncGenerator<FormFileBody> {
  let busboy: ReturnType<typeof Busboy>;
  try {
    busboy = Busboy({
      headers: { ...request.headers, 'content-type': withLastBoundary(request.headers['content-type']) } as BusboyHeaders,
      limits: { ...FORM_LIMITS, fileSize: options.maxFileBytes },
      preservePath: false,
    });
  } catch (error) {
    throw malformedForm((error as Error).message); // no boundary, or one busboy cannot use
  }
  const clientGone = () => request.destroyed && !request.complete;
  const events = new EventQueue<FormEvent>();
  let failed = false;
  let current: BusboyFileStream | undefined;
  const explain = (error: unknown): Error =>
    error instanceof HangarError ? error : clientGone() ? new ClientAbortedError() : malformedForm((error as Error).message);
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    const explained = explain(error);
    // A file being stored waits on its stream: end it with the failure, or it would wait for ever.
    current?.destroy(explained);
    events.push({ kind: 'failed', error: explained });
  };
  busboy.on('file', (field, stream, fileName, _encoding, contentType) => {
    // Its failures reach whoever reads it; one it has no reader for (yet, or any more) must not be an unhandled 'error'.
    stream.on('error', () => undefined);
    events.push({ kind: 'file', field, stream, fileName: fileName === '' ? undefined : fileName, contentType });
  });
  busboy.on('field', (name, value, _nameTruncated, truncated) => events.push({ kind: 'field', name, value, truncated }));
  busboy.on('partsLimit', () => fail(new FormLimitError('parts')));
  busboy.on('filesLimit', () => fail(new FormLimitError('files')));
  busboy.on('fieldsLimit', () => fail(new FormLimitError('fields')));
  // Heard here as well as by the pipeline: busboy may emit 'finish' right after its error, before the pipeline reports it.
  busboy.on('error', fail);
  busboy.on('finish', () => {
    if (!failed) events.push({ kind: 'end' });
  });
  // Not the default iterator: it would destroy the socket when we stop early, and the error could not be sent.
  const source = Readable.from(idleLimited(request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>, options.idleMs));
  pipeline(source, busboy, (error) => {
    if (error) fail(error);
  });

  const described: Partial<Record<DescribingField, string>> = {};
  const kept = new Map<string, string>();
  let files = 0;
  try {
    for (;;) {
      const event = await events.next();
      if (event.kind === 'failed') throw event.error;
      if (event.kind === 'end') break;
      if (event.kind === 'field') {
        if (options.keptFields?.includes(event.name)) {
          if (event.truncated) throw new HangarError('BadRequest', `The field ${event.name} is too long.`, { path: [event.name] });
          kept.set(event.name, event.value);
          continue;
        }
        const name = DESCRIBING_FIELDS.find((field) => field === event.name);
        if (name === undefined) continue;
        if (event.truncated) throw new HangarError('BadRequest', `The field ${name} is too long.`, { path: [name] });
        described[name] = event.value;
        continue;
      }
      current = event.stream;
      const unnamed = event.fileName === undefined && described.fileName === undefined;
      const stream = unnamed ? await nonEmpty(event.stream).catch((error: unknown) => Promise.reject(explain(error))) : event.stream;
      if (stream === undefined) continue;
      const description = checkedDescription(
        { fileName: described.fileName ?? event.fileName, contentType: described.contentType ?? event.contentType },
        {
          fileName: described.fileName === undefined ? [event.field, 'filename'] : ['fileName'],
          contentType: described.contentType === undefined ? [event.field, 'contentType'] : ['contentType'],
        },
      );
      delete described.fileName;
      delete described.contentType;
      files += 1;
      yield {
        door: 'multipart',
        chunks: fileChunks(stream, options.maxFileBytes, explain),
        declaredLength: undefined,
        clientGone,
        describe: () => description,
        fields: Object.fromEntries(kept),
      };
      current = undefined;
    }
  } finally {
    // Stopped early (a failure here or where the bodies go): read no further. The error answer drains or closes the connection.
    source.destroy();
    current?.destroy();
  }
  const orphan = DESCRIBING_FIELDS.find((field) => described[field] !== undefined);
  if (orphan !== undefined) {
    throw new HangarError('BadRequest', `The field ${orphan} describes the file part after it, and none follows.`, { path: [orphan] });
  }
  if (files === 0 && options.requireFile !== false) throw new HangarError('BadRequest', 'The form has no file part.');
}
