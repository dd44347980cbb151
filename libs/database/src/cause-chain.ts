/** An error and its causes, outermost first, without looping. */
export function* causeChain(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current);) {
    seen.add(current);
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}
