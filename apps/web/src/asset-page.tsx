import { useEffect, useState } from 'preact/hooks';
import { type Api, type Asset, environmentPath, enc } from './api';
import { formatBytes, isRenderable, thumbnailUrl } from './files';
import { hrefOf, navigate } from './route';
import { processingState } from './status-feed';
import { ErrorAlert, StatusBadge, messageOf } from './uploader';

interface AssetPageProps {
  readonly api: Api;
  readonly space: string;
  readonly environment: string;
  readonly locale: string;
  readonly assetId: string;
  readonly generation: number;
}

type Action = 'publish' | 'unpublish' | 'archive' | 'unarchive' | 'delete';

/** One asset: its metadata, its files per locale, and its lifecycle (each write sends the version it was shown). */
export function AssetPage({ api, space, environment, locale, assetId, generation }: AssetPageProps) {
  const path = `${environmentPath(space, environment)}/assets/${enc(assetId)}`;
  const [asset, setAsset] = useState<Asset>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  useEffect(() => {
    let current = true;
    api.request<Asset>('GET', path).then(
      (answer) => current && setAsset(answer),
      (failure: unknown) => current && setError(messageOf(failure)),
    );
    return () => {
      current = false;
    };
  }, [api, path, generation]);

  const act = async (action: Action) => {
    if (asset === undefined) return;
    setBusy(true);
    setError(undefined);
    const version = asset.sys.version;
    try {
      switch (action) {
        case 'publish':
          setAsset(await api.request<Asset>('PUT', `${path}/published`, { version }));
          break;
        case 'unpublish':
          setAsset(await api.request<Asset>('DELETE', `${path}/published`, { version }));
          break;
        case 'archive':
          setAsset(await api.request<Asset>('PUT', `${path}/archived`, { version }));
          break;
        case 'unarchive':
          setAsset(await api.request<Asset>('DELETE', `${path}/archived`, { version }));
          break;
        case 'delete':
          await api.request('DELETE', path, { version });
          navigate({ view: 'library', space, environment });
          return;
      }
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
      setConfirmingDelete(false);
    }
  };

  const back = (
    <p>
      <a href={hrefOf({ view: 'library', space, environment })}>← All assets</a>
    </p>
  );
  if (asset === undefined)
    return (
      <section class="panel">
        {back}
        {error !== undefined ? <ErrorAlert message={error} /> : <p>Loading…</p>}
      </section>
    );

  const { sys, fields } = asset;
  const published = sys.publishedVersion !== undefined;
  const archived = sys.archivedVersion !== undefined;
  const title = fields.title?.[locale] ?? fields.file?.[locale]?.fileName ?? sys.id;
  const locales = [...new Set([...Object.keys(fields.file ?? {}), ...Object.keys(fields.title ?? {})])];
  // Contentful's rule: publishing bumps the version once more, so a later version than that is a change since.
  const changed = sys.publishedVersion !== undefined && (sys.version ?? 0) > sys.publishedVersion + 1;
  const state = changed ? 'changed' : published ? 'published' : archived ? 'archived' : 'draft';

  return (
    <section class="panel asset" aria-labelledby="asset-heading">
      {back}
      <h2 id="asset-heading">{title}</h2>
      <p class="state">
        Status: <strong data-testid="asset-state">{state}</strong>
      </p>
      <div class="actions" role="group" aria-label="Lifecycle">
        {!archived && (
          <button type="button" disabled={busy} onClick={() => void act('publish')}>
            {published ? 'Publish again' : 'Publish'}
          </button>
        )}
        {published && (
          <button type="button" disabled={busy} onClick={() => void act('unpublish')}>
            Unpublish
          </button>
        )}
        {!archived && !published && (
          <button type="button" disabled={busy} onClick={() => void act('archive')}>
            Archive
          </button>
        )}
        {archived && (
          <button type="button" disabled={busy} onClick={() => void act('unarchive')}>
            Unarchive
          </button>
        )}
        {!published &&
          (confirmingDelete ? (
            <>
              <button type="button" class="danger" disabled={busy} onClick={() => void act('delete')}>
                Yes, delete it
              </button>
              <button type="button" disabled={busy} onClick={() => setConfirmingDelete(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" class="danger" disabled={busy} onClick={() => setConfirmingDelete(true)}>
              Delete
            </button>
          ))}
      </div>
      <ErrorAlert message={error} />
      <dl class="sys">
        <dt>Id</dt>
        <dd>{sys.id}</dd>
        <dt>Version</dt>
        <dd>{sys.version}</dd>
        <dt>Created</dt>
        <dd>{sys.createdAt}</dd>
        <dt>Updated</dt>
        <dd>{sys.updatedAt}</dd>
        {published && (
          <>
            <dt>Published</dt>
            <dd>
              {sys.publishedAt} (version {sys.publishedVersion})
            </dd>
          </>
        )}
      </dl>
      <h3>Files</h3>
      <ul class="files">
        {locales.map((code) => {
          const file = fields.file?.[code];
          return (
            <li key={code} data-locale={code}>
              <h4>{code}</h4>
              {isRenderable(file) && (
                <img
                  src={thumbnailUrl(file, 480)}
                  alt={`${fields.title?.[code] ?? file.fileName ?? ''} (${code})`}
                  width={240}
                  height={240}
                />
              )}
              <dl>
                <dt>Title</dt>
                <dd>{fields.title?.[code] ?? '—'}</dd>
                <dt>File name</dt>
                <dd>{file?.fileName ?? '—'}</dd>
                <dt>Type</dt>
                <dd>{file?.contentType ?? '—'}</dd>
                <dt>Size</dt>
                <dd data-testid={`size-${code}`}>{formatBytes(file?.details?.size)}</dd>
                {file?.details?.image !== undefined && (
                  <>
                    <dt>Dimensions</dt>
                    <dd>
                      {file.details.image.width} × {file.details.image.height}
                    </dd>
                  </>
                )}
                <dt>Processing</dt>
                <dd>{file === undefined ? '—' : <StatusBadge state={processingState(asset, code)} />}</dd>
                {file?.url !== undefined && (
                  <>
                    <dt>URL</dt>
                    <dd>
                      <a href={file.url} target="_blank" rel="noreferrer">
                        Open the file
                      </a>
                    </dd>
                  </>
                )}
              </dl>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
