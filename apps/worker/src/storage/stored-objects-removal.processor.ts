import { Injectable, Logger } from '@nestjs/common';
import { type JobHandler, JobName, type JobPayloads } from '@hangar/queue';
import { ObjectOwnershipRegistry, StorageService } from '@hangar/storage';

type Removal = JobPayloads[typeof JobName.RemoveStoredObjects];

/**
 * Runs `remove-stored-objects` jobs: the objects of a deleted space or
 * environment, whose rows went in the transaction that staged the job — but
 * not an object some row still owns: the blob of bytes another environment of
 * the space shares stays where its first copy was written, under the deleted
 * environment's prefix (it goes with the purge round once nothing references
 * it). Safe to repeat (what is gone stays gone); if every attempt fails, the
 * orphan sweeper still removes them, as no row owns them.
 */
@Injectable()
export class StoredObjectsRemovalProcessor implements JobHandler<typeof JobName.RemoveStoredObjects> {
  readonly jobName = JobName.RemoveStoredObjects;
  private readonly logger = new Logger(StoredObjectsRemovalProcessor.name);

  constructor(
    private readonly storage: StorageService,
    private readonly owners: ObjectOwnershipRegistry,
  ) {}

  async handle(payload: Removal): Promise<void> {
    let removed = 0;
    for (const prefix of payload.prefixes) removed += await this.storage.removePrefix(prefix, (keys) => this.owners.ownedKeys(keys));
    this.logger.log({ msg: 'removed the stored objects of a deleted container', ...payload, removed });
  }

  recordFinalFailure(payload: Removal, reason: string): Promise<void> {
    this.logger.warn({ msg: 'gave up removing the stored objects of a deleted container; the orphan sweeper will', ...payload, reason });
    return Promise.resolve();
  }
}
