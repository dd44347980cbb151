import { useEffect, useState } from 'preact/hooks';
import { type Api, type Asset, type Collection, MIMETYPE_GROUPS, environmentPath } from './api';
import { formatBytes, isRenderable, thumbnailUrl } from './files';
import { hrefOf } from './route';
import { processingState } from './status-feed';
import { ErrorAlert, StatusBadge, messageOf } from './uploader';

const PAGE_SIZE = 12;
export const THUMBNAIL_PIXELS = 240;

interface GridProps {
  readonly api: Api;
  readonly space: string;
  readonly environment: string;
  readonly locale: string;
  /** Changes when an asset of the environment has finished processing: the page is read again. */
  readonly generation: number;
}

interface Filters {
  readonly title: string;
  readonly group: string;
}

/** The environment's assets, newest first, a page at a time (cursor paging), searchable by title and type. */
export function AssetGrid({ api, space, environment, locale, generation }: GridProps) {
  const [draft, setDraft] = useState<Filters>({ title: '', group: '' });
  const [filters, setFilters] = useState<Filters>({ title: '', group: '' });
  // The page token of the page shown (none: the first page).
  const [pageToken, setPageToken] = useState<{ pageNext?: string; pagePrev?: string }>({});
  const [page, setPage] = useState<Collection<Asset>>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    api
      .request<Collection<Asset>>('GET', `${environmentPath(space, environment)}/assets`, {
        query: {
          cursor: 'true',
          limit: String(PAGE_SIZE),
          order: '-sys.createdAt',
          'fields.title[match]': filters.title.trim(),
          mimetype_group: filters.group,
          ...pageToken,
        },
      })
      .then(
        (answer) => {
          if (!current) return;
          setPage(answer);
          setError(undefined);
        },
        (failure: unknown) => current && setError(messageOf(failure)),
      );
    return () => {
      current = false;
    };
  }, [api, space, environment, filters, pageToken, generation]);

  const go = (url: string | undefined) => {
    if (url === undefined) return;
    const params = new URL(url, window.location.origin).searchParams;
    setPageToken({ pageNext: params.get('pageNext') ?? undefined, pagePrev: params.get('pagePrev') ?? undefined });
  };

  return (
    <section aria-labelledby="assets-heading" class="panel">
      <h2 id="assets-heading">Assets</h2>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setPageToken({});
          setFilters(draft);
        }}
      >
        <div>
          <label for="search-title">Title contains</label>
          <input
            id="search-title"
            type="search"
            value={draft.title}
            onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })}
          />
        </div>
        <div>
          <label for="search-type">Type</label>
          <select id="search-type" value={draft.group} onChange={(e) => setDraft({ ...draft, group: e.currentTarget.value })}>
            <option value="">Any type</option>
            {MIMETYPE_GROUPS.map((group) => (
              <option key={group} value={group}>
                {group}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <ErrorAlert message={error} />
      {page !== undefined && page.items.length === 0 && <p>No assets{filters.title || filters.group ? ' match' : ' yet'}.</p>}
      <ul class="grid" aria-label="Assets">
        {(page?.items ?? []).map((asset) => {
          const file = asset.fields.file?.[locale];
          const title = asset.fields.title?.[locale] ?? file?.fileName ?? asset.sys.id;
          return (
            <li key={asset.sys.id} class="card" data-asset-id={asset.sys.id}>
              <a href={hrefOf({ view: 'asset', space, environment, asset: asset.sys.id })}>
                <div class="thumb">
                  {isRenderable(file) ? (
                    <img
                      src={thumbnailUrl(file, THUMBNAIL_PIXELS)}
                      alt=""
                      width={THUMBNAIL_PIXELS}
                      height={THUMBNAIL_PIXELS}
                      loading="lazy"
                    />
                  ) : (
                    <span class="type">{file?.contentType ?? 'no file'}</span>
                  )}
                </div>
                <span class="title">{title}</span>
              </a>
              <span class="meta">
                {asset.sys.publishedVersion !== undefined ? 'published' : asset.sys.archivedVersion !== undefined ? 'archived' : 'draft'} ·{' '}
                {formatBytes(file?.details?.size)}
              </span>
              {file !== undefined && <StatusBadge state={processingState(asset, locale)} />}
            </li>
          );
        })}
      </ul>
      <div class="pager">
        <button type="button" disabled={page?.pages?.prev === undefined} onClick={() => go(page?.pages?.prev)}>
          Newer
        </button>
        <button type="button" disabled={page?.pages?.next === undefined} onClick={() => go(page?.pages?.next)}>
          Older
        </button>
      </div>
    </section>
  );
}
