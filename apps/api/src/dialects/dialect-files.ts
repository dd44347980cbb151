import { Injectable } from '@nestjs/common';
import { FilePath, FilesService, type FileWithVersion } from '@hangar/files';

/** What the dialects share besides their wire formats: taking back a write a refused request made. */
@Injectable()
export class DialectFiles {
  constructor(private readonly files: FilesService) {}

  /** Removes the version `written` made (the file with it, when it was the only one): a refused request leaves nothing. */
  async undo(spaceId: string, actorId: string, { file, version }: FileWithVersion): Promise<void> {
    await this.files.deleteVersion(spaceId, actorId, FilePath.parse(file.path), version.number);
  }
}

/** An empty body for the ingestion core: Capillary's placeholder, a file with no bytes yet. */
export function emptyBody() {
  return {
    door: 'empty' as const,
    chunks: (async function* (): AsyncGenerator<Buffer> {})(),
    declaredLength: undefined,
    clientGone: () => false,
    allowEmpty: true,
  };
}
