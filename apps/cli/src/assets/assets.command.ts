import type { HangarClient } from '../api-client';
import { type CliContext, connect, nonEmpty, printJson } from '../cli-context';
import { formatBytes, renderTable } from '../format';
import {
  type AssetJson,
  assetPath,
  type Collection,
  resolveLocale,
  type EnvironmentRef,
  environmentPath,
  resolveSpace,
} from '../hangar-api';

export interface AssetsOptions {
  readonly space?: string;
  readonly env: string;
  readonly locale?: string;
  readonly json?: boolean;
}

export interface ListOptions extends AssetsOptions {
  readonly limit: number;
  readonly query?: string;
}

async function open(context: CliContext, options: AssetsOptions): Promise<{ client: HangarClient; environment: EnvironmentRef }> {
  const client = await connect(context);
  const spaceId = await resolveSpace(client, options.space ?? nonEmpty(context.env.HANGAR_SPACE));
  return { client, environment: { spaceId, environmentId: options.env } };
}

/** The status shown for an asset in a locale: processing's, else whether the file is processed at all. */
function statusOf(asset: AssetJson, locale: string): string {
  const processing = asset.sys.fileProcessing?.[locale];
  if (processing) return processing.status;
  const file = asset.fields.file?.[locale];
  if (file === undefined) return 'no file';
  return file.url === undefined ? 'unprocessed' : 'ready';
}

const isPublished = (asset: AssetJson) => asset.sys.publishedVersion !== undefined && asset.sys.publishedVersion !== null;

/** `hangar assets ls`: the newest assets first, optionally those whose title matches `--query`. */
export async function listAssets(context: CliContext, options: ListOptions): Promise<void> {
  const { client, environment } = await open(context, options);
  const page = await client.request<Collection<AssetJson>>('GET', `${environmentPath(environment)}/assets`, {
    query: { limit: options.limit, order: '-sys.createdAt', 'fields.title[match]': options.query },
  });
  if (options.json === true) return printJson(context, page);
  const locale = await resolveLocale(client, environment, options.locale);
  const rows = page.items.map((asset) => {
    const file = asset.fields.file?.[locale];
    return [
      asset.sys.id,
      asset.fields.title?.[locale] ?? '',
      file?.contentType ?? '',
      file?.details?.size === undefined ? '' : formatBytes(file.details.size),
      statusOf(asset, locale),
      isPublished(asset) ? 'yes' : 'no',
      asset.sys.updatedAt ?? '',
    ];
  });
  context.stdout.write(`${renderTable(['ID', 'TITLE', 'TYPE', 'SIZE', 'STATUS', 'PUBLISHED', 'UPDATED'], rows, 40)}\n`);
  context.stdout.write(`${page.items.length} of ${page.total ?? page.items.length} asset${page.total === 1 ? '' : 's'}\n`);
}

/** `hangar assets get <id>`: one asset, every locale. */
export async function getAsset(context: CliContext, assetId: string, options: AssetsOptions): Promise<void> {
  const { client, environment } = await open(context, options);
  const asset = await client.request<AssetJson>('GET', assetPath(environment, assetId));
  if (options.json === true) return printJson(context, asset);
  const lines: [string, string][] = [
    ['id', asset.sys.id],
    ['version', String(asset.sys.version)],
    ['published', isPublished(asset) ? `yes (version ${asset.sys.publishedVersion})` : 'no'],
    ['archived', asset.sys.archivedVersion === undefined || asset.sys.archivedVersion === null ? 'no' : 'yes'],
    ['created', asset.sys.createdAt ?? ''],
    ['updated', asset.sys.updatedAt ?? ''],
  ];
  const locales = new Set([...Object.keys(asset.fields.title ?? {}), ...Object.keys(asset.fields.file ?? {})]);
  for (const locale of [...locales].sort()) {
    const file = asset.fields.file?.[locale];
    const processing = asset.sys.fileProcessing?.[locale];
    lines.push([`title (${locale})`, asset.fields.title?.[locale] ?? '']);
    if (file === undefined) continue;
    lines.push([
      `file (${locale})`,
      `${file.fileName ?? ''}, ${file.contentType ?? ''}${file.details?.size === undefined ? '' : `, ${formatBytes(file.details.size)}`}`,
    ]);
    lines.push([`status (${locale})`, `${statusOf(asset, locale)}${processing?.reason ? `: ${processing.reason}` : ''}`]);
    if (file.url !== undefined) lines.push([`url (${locale})`, file.url]);
  }
  const width = Math.max(...lines.map(([name]) => name.length));
  context.stdout.write(`${lines.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n`);
}

interface RemoveResult {
  id: string;
  status: 'removed' | 'failed';
  unpublished: boolean;
  reason: string | null;
}

/** `hangar assets rm <id…>`: each asset deleted, unpublished first when it is published; exit 1 if any failed. */
export async function removeAssets(context: CliContext, assetIds: readonly string[], options: AssetsOptions): Promise<void> {
  const { client, environment } = await open(context, options);
  const results: RemoveResult[] = [];
  for (const id of assetIds) {
    let unpublished = false;
    try {
      let asset = await client.request<AssetJson>('GET', assetPath(environment, id));
      if (isPublished(asset)) {
        asset = await client.request<AssetJson>('DELETE', `${assetPath(environment, id)}/published`, { version: asset.sys.version });
        unpublished = true;
      }
      await client.request('DELETE', assetPath(environment, id), { version: asset.sys.version });
      results.push({ id, status: 'removed', unpublished, reason: null });
    } catch (error) {
      results.push({ id, status: 'failed', unpublished, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  if (results.some((result) => result.status === 'failed')) context.exitCode = 1;
  if (options.json === true) return printJson(context, { assets: results });
  for (const result of results) {
    context.stdout.write(
      result.status === 'removed'
        ? `removed ${result.id}${result.unpublished ? ' (unpublished first)' : ''}\n`
        : `FAILED  ${result.id}: ${result.reason}\n`,
    );
  }
}
