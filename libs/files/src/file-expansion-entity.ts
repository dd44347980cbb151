import type { FileExpansion } from '@hangar/database';
import { link } from '@hangar/domain';

/** Where a FileExpansion is polled (relative to the API's base URL). */
export function fileExpansionPath(spaceId: string, expansionId: string): string {
  return `/spaces/${encodeURIComponent(spaceId)}/file_expansions/${encodeURIComponent(expansionId)}`;
}

/**
 * The FileExpansion resource: a ZIP archive expanded into a folder.
 * `status` is `pending` (stored, waiting for the worker), `running`,
 * `succeeded` (every entry landed: `files`, `folders` and `bytes` say what)
 * or `failed` (nothing was written: `error` says why, and which entry).
 */
export function fileExpansionEntity(row: FileExpansion) {
  return {
    sys: {
      type: 'FileExpansion' as const,
      id: row.id,
      space: link('Space', row.spaceId),
      createdAt: row.createdAt.toISOString(),
      createdBy: link('User', row.createdById),
    },
    status: row.status,
    folder: row.folder,
    archive: { size: Number(row.archiveSize), sha256: row.archiveSha256 },
    entries: row.entryCount,
    files: row.fileCount,
    folders: row.folderCount,
    bytes: Number(row.bytes),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    error:
      row.status === 'failed'
        ? { reason: row.errorReason ?? 'expansion-error', message: row.errorMessage ?? '', entry: row.errorEntry }
        : null,
  };
}
