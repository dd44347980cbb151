import { HangarError } from '@hangar/domain';
import { ClientAbortedError, type IncomingBody, type UploadDescription } from '@hangar/ingest';
import { type Base64JsonFields, Base64JsonScanner, base64JsonBodyLimit } from './base64-json-scanner';
import { checkedDescription } from './upload-description';

export interface Base64JsonOptions {
  /** UPLOAD_MAX_BYTES: the cap of the decoded file (the ingestion core counts it). */
  readonly maxFileBytes: number;
  readonly clientGone: () => boolean;
}

/**
 * A base64 JSON request (`{"name", "type", "data"}`) as a body for the
 * ingestion core: `data` decoded as it arrives, the request itself capped at
 * {@link base64JsonBodyLimit} (4/3 of the file cap plus room for the other
 * fields), outside the global JSON body limit. `type` defaults to a `data:`
 * URI's media type. Name and type are checked as upload descriptions once
 * the whole object has been read — they may come after `data`; so may
 * `fields()`, everything the body said besides its bytes.
 */
export function base64JsonBody(
  source: AsyncIterable<Buffer>,
  options: Base64JsonOptions,
): IncomingBody & { fields(): Base64JsonFields | undefined } {
  const maxBodyBytes = base64JsonBodyLimit(options.maxFileBytes);
  const scanner = new Base64JsonScanner();
  let description: UploadDescription | undefined;
  let fields: Base64JsonFields | undefined;

  async function* decoded(): AsyncGenerator<Buffer> {
    let received = 0;
    for await (const chunk of source) {
      received += chunk.length;
      if (received > maxBodyBytes) throw base64JsonTooLarge(maxBodyBytes);
      for (const bytes of scanner.feed(chunk)) yield bytes;
    }
    if (options.clientGone()) throw new ClientAbortedError();
    fields = scanner.end();
    description = checkedDescription(
      { fileName: fields.name, contentType: fields.type ?? fields.dataUriType },
      { fileName: ['name'], contentType: fields.type === undefined ? ['data'] : ['type'] },
    );
  }

  return {
    door: 'base64',
    chunks: decoded(),
    declaredLength: undefined,
    clientGone: options.clientGone,
    describe: () => description ?? {},
    fields: () => fields,
  };
}

export function base64JsonTooLarge(maxBodyBytes: number): HangarError {
  return new HangarError('RequestEntityTooLarge', `Base64 JSON upload bodies are limited to ${maxBodyBytes} bytes.`, {
    maxBytes: maxBodyBytes,
  });
}
