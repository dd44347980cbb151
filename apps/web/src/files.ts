import type { AssetFile } from './api';

/** Raster images the Images API renders (SVG and other files are not transformed). */
export function isRenderable(file: AssetFile | undefined): file is AssetFile & { url: string } {
  return file?.url !== undefined && /^image\//.test(file.contentType ?? '') && !/svg/.test(file.contentType ?? '');
}

/** A square WebP thumbnail of an image file through the Images API. */
export function thumbnailUrl(file: AssetFile & { url: string }, size: number): string {
  const separator = file.url.includes('?') ? '&' : '?';
  return `${file.url}${separator}w=${size}&h=${size}&fit=thumb&fm=webp`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
