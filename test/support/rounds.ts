/**
 * Times that each fall in a round of their own for jobs on a one-hour interval
 * (PURGE/ORPHAN_SWEEP_INTERVAL_SECONDS=3600 in these tests). Random, so claims
 * left in Redis by an earlier run, which live two intervals, never collide.
 */
export function hourlyRounds(): () => number {
  let window = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
  return () => (window += 1) * 3_600_000 + 1;
}
