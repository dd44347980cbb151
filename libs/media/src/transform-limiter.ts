import { HangarError } from '@hangar/domain';

/** 503: every transform slot is busy and the queue is full; `details.reset` becomes Retry-After. */
export class TransformsBusyError extends HangarError {
  constructor(retryAfterSeconds: number) {
    super('ServiceUnavailable', 'Too many image renditions are being made right now; try again shortly.', {
      reason: 'image-transforms-busy',
      reset: retryAfterSeconds,
    });
  }
}

/**
 * Bounds the image transforms of one process: at most `concurrency` run at
 * once (each decodes a whole image), at most `queueLimit` wait in order,
 * and anything beyond is refused at once with {@link TransformsBusyError} —
 * a burst of distinct renditions costs a bounded amount of memory and CPU,
 * and the clients refused are told when to come back.
 */
export class TransformLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queueLimit) throw new TransformsBusyError(1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Transforms running and waiting (diagnostics and tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
