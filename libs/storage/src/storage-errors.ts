const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);
const UNAVAILABLE_S3_CODES = new Set([
  'ServiceUnavailable',
  'SlowDown',
  'XMinioServerNotInitialized',
  'XMinioStorageFull',
  'InternalError',
]);

function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const { code } = current as { code?: unknown };
    if (typeof code === 'string' && codes.has(code)) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => hasCode(inner, codes))) return true;
  }
  return false;
}

const UNAVAILABLE_CODES = new Set([...UNAVAILABLE_SOCKET_CODES, ...UNAVAILABLE_S3_CODES]);
const REFUSED_CODES = new Set(['ECONNREFUSED']);

/** True when `error` means object storage could not be reached or refused service. */
export function isStorageUnavailable(error: unknown): boolean {
  return hasCode(error, UNAVAILABLE_CODES);
}

/** True when the request never reached storage at all (connection refused), so it changed nothing there. */
export function isStorageUnreachable(error: unknown): boolean {
  return hasCode(error, REFUSED_CODES);
}
