import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Server } from '@tus/server';
import { Metadata, TUS_RESUMABLE } from '@tus/utils';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { type EnvironmentTarget, newId } from '@hangar/domain';
import {
  isTusAnswer,
  parseUploadChecksum,
  TUS_CHECKSUM_ALGORITHMS,
  TusProtocolError,
  type TusRequestContext,
  TusUploads,
  type UploadChecksum,
  type UploadDescription,
} from '@hangar/ingest';
import type { HangarRequest } from '../common/http-request';
import { checkedDescription } from '../doors/upload-description';
import { sendWebResponse, webRequestOf } from './tus-web-request';

/** The one PATCH body type tus accepts. */
const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';
/** Names the finished (or, on creation, the new) upload: its Upload resource's `sys.id`, for `uploadFrom`. */
export const UPLOAD_ID_HEADER = 'X-Hangar-Upload-Id';

/**
 * The file name and media type a creation's `Upload-Metadata` gives (`filename`/`filetype`, as tus-js-client
 * and Uppy name them, or `name`/`type`), checked as the Upload API's other doors check theirs (a bad one: 422);
 * they become the Upload's `details.fileName` and `details.contentType`. Metadata tus cannot read is left to it.
 */
function describedBy(header: string | undefined): UploadDescription | undefined {
  let metadata: Record<string, string | null>;
  try {
    metadata = header === undefined ? {} : Metadata.parse(header);
  } catch {
    return undefined;
  }
  const fileName = metadata.filename ?? metadata.name ?? undefined;
  const contentType = metadata.filetype ?? metadata.type ?? undefined;
  if (fileName === undefined && contentType === undefined) return undefined;
  return checkedDescription(
    { fileName, contentType },
    {
      fileName: ['Upload-Metadata', metadata.filename === undefined ? 'name' : 'filename'],
      contentType: ['Upload-Metadata', metadata.filetype === undefined ? 'type' : 'filetype'],
    },
  );
}

/** One tus request: where it goes (`/spaces/{s}[/environments/{e}]/tus[/{id}]`) and who sends it. */
export interface TusRoute {
  readonly basePath: string;
  readonly target: EnvironmentTarget;
  readonly uploadId: string | undefined;
  readonly userId: string;
}

/**
 * The tus 1.0 door. @tus/server speaks the protocol (core, creation,
 * creation-with-upload, creation-defer-length, termination, expiration) over
 * Hangar's data store (TusUploads: the ingestion core, state in PostgreSQL,
 * a Redis lock per upload). This class adds only what @tus/server 2.4.5
 * lacks, before handing the request over:
 * - `Tus-Resumable` other than 1.0.0 is a 412 with `Tus-Version` (tus would say 400), a PATCH of another
 *   type a 415 (tus: 400);
 * - checksum: `Upload-Checksum` is parsed here (unknown algorithm → 400) and checked by the store as the body
 *   streams (mismatch → 460, offset unchanged); OPTIONS names the algorithms;
 * - concatenation: `Upload-Concat: partial` goes through tus (the store records it); a `final;…` creation is
 *   made here, from the finished partial uploads.
 * Errors of the core that tus has no word for (a full upload slot 429, an idle body 408, storage down 503)
 * are rethrown for the exception filter: Contentful-shaped, like every other route's.
 */
@Injectable()
export class TusHandler {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uploads: TusUploads,
  ) {}

  async handle(request: HangarRequest, response: Response, route: TusRoute): Promise<void> {
    response.setHeader('Tus-Resumable', TUS_RESUMABLE);
    const checksum = parseUploadChecksum(request.header('upload-checksum'));
    const refusal = this.refusal(request) ?? (checksum instanceof TusProtocolError ? checksum : undefined);
    if (refusal) return this.answer(request, response, refusal);
    const context: TusRequestContext = {
      description: request.method === 'POST' ? describedBy(request.header('upload-metadata')) : undefined,
      target: route.target,
      userId: route.userId,
      checksum: checksum as UploadChecksum | undefined,
      partial: request.header('upload-concat') === 'partial',
      bodyLength: request.headers['content-length'] === undefined ? undefined : Number(request.headers['content-length']),
    };
    const concat = request.header('upload-concat');
    if (request.method === 'POST' && concat?.startsWith('final;')) return this.createFinal(request, response, route, context, concat);

    // What the core threw that tus has no answer of its own for: the exception filter answers it instead.
    let failure: Error | undefined;
    const store = this.uploads.storeFor(context);
    const server = new Server({
      path: route.basePath,
      datastore: store,
      locker: this.uploads.locker,
      maxSize: this.config.uploads.maxBytes,
      relativeLocation: true,
      namingFunction: () => newId(),
      getFileIdFromRequest: () => route.uploadId,
      onUploadFinish: (_request, upload) => Promise.resolve({ headers: { [UPLOAD_ID_HEADER]: upload.id } }),
      onResponseError: (_request, error) => {
        if (!isTusAnswer(error)) failure ??= error;
        return undefined;
      },
    });
    const answer = await server.handleWeb(webRequestOf(request, request.path, this.config.uploads.idleTimeoutSeconds * 1000));
    if (failure !== undefined) throw failure;
    if (request.method === 'OPTIONS') answer.headers.set('Tus-Checksum-Algorithm', TUS_CHECKSUM_ALGORITHMS.join(','));
    if (request.method === 'HEAD' && store.concat !== undefined) answer.headers.set('Upload-Concat', store.concat);
    const location = answer.headers.get('location');
    if (answer.status === 201 && location !== null) answer.headers.set(UPLOAD_ID_HEADER, location.slice(location.lastIndexOf('/') + 1));
    await sendWebResponse(request, response, answer);
  }

  /** What tus says differently from @tus/server 2.4.5 about a request's headers. */
  private refusal(request: HangarRequest): TusProtocolError | undefined {
    const version = request.header('tus-resumable');
    if (request.method !== 'OPTIONS' && version !== undefined && version !== TUS_RESUMABLE) {
      return Object.assign(new TusProtocolError(412, `Tus-Resumable ${TUS_RESUMABLE} is the version this server speaks\n`), {
        headers: { 'Tus-Version': TUS_RESUMABLE },
      });
    }
    if (request.method === 'PATCH' && request.header('content-type') !== OFFSET_OCTET_STREAM) {
      return new TusProtocolError(415, `Send PATCH bodies as ${OFFSET_OCTET_STREAM}\n`);
    }
    return undefined;
  }

  /** `Upload-Concat: final;<url> <url>…`: the partial uploads must be this endpoint's, finished. */
  private async createFinal(
    request: HangarRequest,
    response: Response,
    route: TusRoute,
    context: TusRequestContext,
    concat: string,
  ): Promise<void> {
    if (request.header('upload-length') !== undefined) {
      return this.answer(request, response, new TusProtocolError(400, 'A final upload has no Upload-Length: it is its partial uploads\n'));
    }
    const partialIds = this.partialIdsOf(concat.slice('final;'.length), route.basePath);
    if (partialIds === undefined) {
      return this.answer(request, response, new TusProtocolError(400, `Upload-Concat must list partial uploads of ${route.basePath}\n`));
    }
    const metadataHeader = request.header('upload-metadata');
    let metadata: string | undefined;
    try {
      metadata = metadataHeader === undefined ? undefined : Metadata.stringify(Metadata.parse(metadataHeader));
    } catch {
      return this.answer(request, response, new TusProtocolError(400, 'Upload-Metadata is invalid\n'));
    }
    let upload;
    try {
      upload = await this.uploads.concatenate(context, partialIds, concat, metadata);
    } catch (error) {
      if (isTusAnswer(error)) return this.answer(request, response, error);
      throw error;
    }
    response.status(201).setHeader('Location', `${route.basePath}/${upload.id}`);
    response.setHeader(UPLOAD_ID_HEADER, upload.id);
    response.setHeader('Upload-Offset', String(upload.size ?? 0n));
    response.end();
  }

  /** The upload ids of `urls` (absolute or relative), when every one names an upload of `basePath`. */
  private partialIdsOf(urls: string, basePath: string): string[] | undefined {
    const ids: string[] = [];
    for (const url of urls.trim().split(/ +/)) {
      let path: string;
      try {
        path = decodeURIComponent(new URL(url, 'http://tus.invalid').pathname);
      } catch {
        return undefined;
      }
      const id = path.startsWith(`${basePath}/`) ? path.slice(basePath.length + 1) : '';
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
      ids.push(id);
    }
    return ids.length > 0 ? ids : undefined;
  }

  /** One of tus's own answers: its status and short text. */
  private answer(
    request: HangarRequest,
    response: Response,
    error: { status_code: number; body: string; headers?: Record<string, string> },
  ) {
    return sendWebResponse(
      request,
      response,
      new Response(error.body, { status: error.status_code, headers: { 'Tus-Resumable': TUS_RESUMABLE, ...error.headers } }),
    );
  }
}
