/**
 * Resolves to what `work` resolves to, or to `fallback` when it rejects or
 * has not settled within `timeoutMs` (health checks must answer quickly even
 * when a dependency hangs).
 */
export async function settleWithin<T>(work: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
  });
  try {
    return await Promise.race([work.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
