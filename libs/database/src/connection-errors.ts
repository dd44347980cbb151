import { causeChain } from './cause-chain';

/** Hides the password of a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable url>';
  }
}

/** A short reason for a failed connection, without the noise of nested causes. */
export function describeConnectionError(error: unknown): string {
  for (const link of causeChain(error)) {
    const code = (link as { code?: unknown }).code;
    if (link instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `${code} ${link.message}`.trim();
  }
  if (!(error instanceof Error)) return String(error);
  // Prisma puts the driver's reason in "Message: `…`" at the end of a multi-line text.
  const driverMessage = /Message: `([^`]+)`/.exec(error.message)?.[1];
  return driverMessage ?? error.message.trim().split('\n').pop() ?? 'unknown error';
}

// Prisma codes for "cannot reach / lost / timed out waiting for a connection".
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);
// PostgreSQL SQLSTATEs of a server shutting down or refusing connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006']);

const UNAVAILABLE_MESSAGE = /Can't reach database server|Connection terminated|timeout exceeded when trying to connect/i;

/** True when `error` means PostgreSQL is unreachable, not that the query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of causeChain(error)) {
    const candidate = link as { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown };
    if (typeof candidate.code === 'string') {
      if (UNAVAILABLE_PRISMA_CODES.has(candidate.code) || UNAVAILABLE_SOCKET_CODES.has(candidate.code)) return true;
      if (UNAVAILABLE_SQLSTATES.has(candidate.code)) return true;
    }
    if (typeof candidate.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(candidate.kind)) return true;
    if (typeof candidate.originalCode === 'string' && UNAVAILABLE_SQLSTATES.has(candidate.originalCode)) return true;
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGE.test(candidate.message)) return true;
  }
  return false;
}
