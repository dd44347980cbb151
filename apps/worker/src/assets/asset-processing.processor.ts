import { Injectable } from '@nestjs/common';
import { AssetProcessingService, type ProcessingRequest } from '@hangar/assets';
import { type JobHandler, JobName } from '@hangar/queue';

/** Runs `process-asset-file` jobs: the domain does the work; this only routes the job to it. */
@Injectable()
export class AssetProcessingProcessor implements JobHandler<typeof JobName.ProcessAssetFile> {
  readonly jobName = JobName.ProcessAssetFile;

  constructor(private readonly processing: AssetProcessingService) {}

  handle(payload: ProcessingRequest): Promise<void> {
    return this.processing.process(payload);
  }

  recordFinalFailure(payload: ProcessingRequest, reason: string): Promise<void> {
    return this.processing.recordFailure(payload, reason);
  }
}
