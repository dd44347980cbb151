import type { JobName, JobPayloads } from './job-contracts';

export interface JobContext {
  readonly jobId: string;
  /** 1 for the first run. */
  readonly attempt: number;
}

/** One handler per job name; the worker refuses to boot when a job name has none. */
export interface JobHandler<N extends JobName = JobName> {
  readonly jobName: N;
  handle(payload: JobPayloads[N], context: JobContext): Promise<void>;
  /** Called once when the job will not run again (retries exhausted), so the failure is recorded. */
  recordFinalFailure(payload: JobPayloads[N], reason: string): Promise<void>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
