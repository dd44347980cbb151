import { Injectable } from '@nestjs/common';
import { JobName, type JobPayloads } from '@hangar/queue';
import type { JobHandler } from '../jobs/job-handler';
import { AssetFileProcessingService } from './asset-file-processing.service';

@Injectable()
export class AssetProcessingProcessor implements JobHandler<typeof JobName.ProcessAssetFile> {
  readonly jobName = JobName.ProcessAssetFile;

  constructor(private readonly processing: AssetFileProcessingService) {}

  handle(payload: JobPayloads[typeof JobName.ProcessAssetFile]): Promise<void> {
    return this.processing.process(payload);
  }

  recordFinalFailure(payload: JobPayloads[typeof JobName.ProcessAssetFile], reason: string): Promise<void> {
    return this.processing.recordFailure(payload, reason);
  }
}
