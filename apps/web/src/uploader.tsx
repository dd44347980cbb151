import Uppy, { type UppyFile } from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import Tus from '@uppy/tus';
import { useEffect, useRef, useState } from 'preact/hooks';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { type Api, ApiError, type Asset, environmentPath, enc } from './api';
import { type ProcessingState, type StatusFeed, processingState } from './status-feed';

type Meta = Record<string, never>;
type Body = Record<string, never>;

/** One uploaded file on its way to being a processed asset. */
interface Arrival {
  readonly key: string;
  readonly fileName: string;
  assetId?: string;
  state: ProcessingState | { status: 'creating' };
}

interface UploaderProps {
  readonly api: Api;
  readonly space: string;
  readonly environment: string;
  readonly locale: string;
  readonly feed: StatusFeed;
}

/** Chunks of 5 MiB: each PATCH is a whole storage part, streamed on arrival (README, "Resumable uploads"). */
const CHUNK_BYTES = 5 * 1024 * 1024;
/** Long enough in total (about 40 s) to ride out an api restart; tus resumes from the offset HEAD answers. */
const RETRY_DELAYS = [0, 1000, 2000, 3000, 5000, 8000, 10_000, 10_000];

/**
 * Uppy's dashboard (drag-and-drop or pick many files; per-file progress, pause/resume and retry) uploading through
 * tus; each finished upload becomes an asset, is processed, and its status is followed live.
 */
export function Uploader({ api, space, environment, locale, feed }: UploaderProps) {
  const target = useRef<HTMLDivElement>(null);
  const [arrivals, setArrivals] = useState<Arrival[]>([]);

  useEffect(() => {
    const element = target.current;
    if (element === null) return;
    const watched = new Set<string>();
    // A state only moves forward: a read that was answered before a pushed event must not undo it.
    const update = (key: string, change: Partial<Arrival>) =>
      setArrivals((list) =>
        list.map((arrival) =>
          arrival.key !== key
            ? arrival
            : { ...arrival, ...change, state: change.state && rank(change.state) >= rank(arrival.state) ? change.state : arrival.state },
        ),
      );

    const uppy = new Uppy<Meta, Body>({ autoProceed: true, id: `library-${space}-${environment}` })
      .use(Dashboard<Meta, Body>, {
        inline: true,
        target: element,
        width: '100%',
        height: 320,
        proudlyDisplayPoweredByUppy: false,
        note: 'Files go up resumably (tus); each becomes an asset and is processed.',
      })
      .use(Tus<Meta, Body>, {
        endpoint: new URL(`${environmentPath(space, environment)}/tus`, window.location.origin).href,
        headers: { Authorization: `Bearer ${api.token}` },
        chunkSize: CHUNK_BYTES,
        retryDelays: RETRY_DELAYS,
        // tus-js-client starts a file over when the HEAD that resumes it is answered with anything but a 2xx or 423 —
        // a proxy's 502 or 503 while the api restarts included. A 5xx there is made an error instead, which the
        // retries above ride out, and the upload goes on from the offset the api kept.
        onAfterResponse: (request, response) => {
          if (request.getMethod() === 'HEAD' && response.getStatus() >= 500)
            throw new Error(`The api answered ${response.getStatus()} while resuming; trying again.`);
        },
        removeFingerprintOnSuccess: true,
      });

    uppy.on('upload-success', (file, response) => {
      if (file === undefined) return;
      const key = file.id;
      setArrivals((list) => [{ key, fileName: file.name ?? 'file', state: { status: 'creating' } }, ...list.filter((a) => a.key !== key)]);
      const seen = (asset: Asset) => {
        const state = processingState(asset, locale);
        update(key, { assetId: asset.sys.id, state });
        // Settled: nothing more to follow (and nothing more to poll for).
        if (state.status !== 'processing') {
          feed.unwatch(asset.sys.id);
          watched.delete(asset.sys.id);
        }
      };
      const follow = (assetId: string) => {
        watched.add(assetId);
        feed.watch(assetId, seen);
      };
      void makeAsset(file, response.uploadURL, follow).then(seen, (error: unknown) =>
        update(key, { state: { status: 'failed', reason: messageOf(error) } }),
      );
    });

    const makeAsset = async (
      file: UppyFile<Meta, Body>,
      uploadUrl: string | undefined,
      follow: (assetId: string) => void,
    ): Promise<Asset> => {
      // The upload's id is the last segment of its tus URL (also sent as X-Hangar-Upload-Id).
      const uploadId = uploadUrl?.split('/').pop();
      if (uploadId === undefined || uploadId === '') throw new Error('The upload finished without an upload id.');
      const base = `${environmentPath(space, environment)}/assets`;
      const fileName = file.name ?? 'file';
      const created = await api.request<Asset>('POST', base, {
        body: {
          fields: {
            title: { [locale]: fileName },
            file: {
              [locale]: {
                contentType: file.type !== undefined && file.type !== '' ? file.type : 'application/octet-stream',
                fileName,
                uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: uploadId } },
              },
            },
          },
        },
      });
      const id = enc(created.sys.id);
      await api.request('PUT', `${base}/${id}/files/${enc(locale)}/process`, { version: created.sys.version });
      // Followed from here on; processing may already be over (a small file, a quick worker), so read it once too.
      follow(created.sys.id);
      return api.request<Asset>('GET', `${base}/${id}`);
    };

    return () => {
      for (const assetId of watched) feed.unwatch(assetId);
      uppy.destroy();
    };
  }, [api, space, environment, locale, feed]);

  return (
    <section aria-labelledby="upload-heading" class="panel">
      <h2 id="upload-heading">Upload</h2>
      <div ref={target} class="dashboard" />
      {arrivals.length > 0 && (
        <ul class="arrivals" aria-label="Processing status" aria-live="polite">
          {arrivals.map((arrival) => (
            <li key={arrival.key} data-status={arrival.state.status} data-file-name={arrival.fileName}>
              <span class="name">{arrival.fileName}</span> <StatusBadge state={arrival.state} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function rank(state: Arrival['state']): number {
  return state.status === 'creating' ? 0 : state.status === 'processing' ? 1 : 2;
}

export function StatusBadge({ state }: { state: Arrival['state'] }) {
  switch (state.status) {
    case 'creating':
      return <span class="badge">creating asset…</span>;
    case 'processing':
      return <span class="badge">processing…</span>;
    case 'ready':
      return <span class="badge ready">ready</span>;
    case 'failed':
      return <span class="badge failed">failed: {state.reason}</span>;
  }
}

/** The api's (or the page's) error message, announced to screen readers; nothing when there is none. */
export function ErrorAlert({ message }: { message: string | undefined }) {
  if (message === undefined) return null;
  return (
    <p role="alert" class="error">
      {message}
    </p>
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
