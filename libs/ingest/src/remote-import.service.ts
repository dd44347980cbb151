import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import type { Upload } from '@hangar/database';
import { type EnvironmentTarget, HangarError } from '@hangar/domain';
import { OutboundClient } from '@hangar/outbound';
import { EmptyUploadError } from './ingest-errors';
import { UploadSessionService } from './upload-session.service';

/** A remote file brought into an upload session. */
export interface RemoteImport {
  /** The ready Upload, like one sent to the Upload API. */
  readonly upload: Upload;
  /** The media type the remote server claimed: a hint for the caller, never proof (the bytes decide). */
  readonly contentType: string | undefined;
  /** Where the bytes came from, after redirects. */
  readonly url: string;
}

/**
 * Contentful's `fields.file[locale].upload`: a URL whose bytes become an
 * Upload. The URL is fetched through the guarded {@link OutboundClient}
 * (public addresses or REMOTE_FETCH_ALLOW_HOSTS only, redirects re-checked,
 * timeouts) and the response body streams into an upload session like any
 * other door's body: the same UPLOAD_MAX_BYTES cap, the same SHA-256, the
 * same cleanup. A refused or failed fetch throws an error whose message says
 * why, in words for whoever gave the URL; it leaves no row, no object and no
 * incomplete multipart upload.
 */
@Injectable()
export class RemoteImportService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: UploadSessionService,
    private readonly outbound: OutboundClient,
  ) {}

  async import(target: EnvironmentTarget, createdById: string, url: string, options: { signal?: AbortSignal } = {}): Promise<RemoteImport> {
    const response = await this.outbound.get(url, { maxBytes: this.config.uploads.maxBytes, signal: options.signal });
    try {
      const upload = await this.sessions.ingest(target, createdById, {
        door: 'remote',
        chunks: response.body,
        declaredLength: response.contentLength,
        // Nobody is waiting on the other end: a broken download fails with its own reason from the body.
        clientGone: () => false,
        // The worker's concurrency bounds imports, and the outbound client's idle timeout (a retryable failure) their silence.
        sender: 'server',
      });
      return { upload, contentType: response.contentType, url: response.url.href };
    } catch (error) {
      if (error instanceof EmptyUploadError) {
        throw new HangarError('BadRequest', `${response.url.host} sent an empty file.`, { failure: 'empty' });
      }
      throw error;
    } finally {
      // When the session failed before reading (an unknown environment), the connection is still open.
      response.discard();
    }
  }
}
