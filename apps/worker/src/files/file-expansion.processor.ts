import { Injectable } from '@nestjs/common';
import { ArchiveExpansionService } from '@hangar/files';
import { type JobHandler, JobName, type JobPayloads } from '@hangar/queue';

type ExpansionRequest = JobPayloads[typeof JobName.ExpandFileArchive];

/** Runs `expand-file-archive` jobs: the domain does the work; this only routes the job to it. */
@Injectable()
export class FileExpansionProcessor implements JobHandler<typeof JobName.ExpandFileArchive> {
  readonly jobName = JobName.ExpandFileArchive;

  constructor(private readonly expansions: ArchiveExpansionService) {}

  handle(payload: ExpansionRequest): Promise<void> {
    return this.expansions.expand(payload.expansionId);
  }

  recordFinalFailure(payload: ExpansionRequest, reason: string): Promise<void> {
    return this.expansions.recordFailure(payload.expansionId, reason);
  }
}
