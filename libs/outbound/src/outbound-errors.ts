import { HangarError } from '@hangar/domain';

/**
 * Why an outbound request did not give a usable response. The first group
 * are the guard's refusals (the request was never sent, or not to that
 * address); the rest are the remote side failing.
 */
export type OutboundFailure =
  | 'invalid-url'
  | 'scheme'
  | 'credentials'
  | 'port'
  | 'address'
  | 'redirects'
  | 'redirect-location'
  | 'too-large'
  | 'timeout'
  | 'unreachable'
  | 'tls'
  | 'status'
  | 'encoding'
  | 'aborted';

const REFUSALS: ReadonlySet<OutboundFailure> = new Set(['invalid-url', 'scheme', 'credentials', 'port', 'address', 'redirects']);

/**
 * An outbound request refused by the guard or failed on the remote side. The
 * message is written for the person who gave the URL (it is recorded as the
 * reason an asset's processing failed); `failure` is the machine-readable
 * cause and `retryable` whether trying again later may succeed.
 */
export class OutboundRequestError extends HangarError {
  constructor(
    readonly failure: OutboundFailure,
    message: string,
    readonly retryable = false,
    details: Record<string, unknown> = {},
  ) {
    super(failure === 'too-large' ? 'RequestEntityTooLarge' : 'BadRequest', message, { failure, ...details });
  }

  /** True when the guard refused the request (the URL, a redirect or an address), as opposed to the remote side failing. */
  get refused(): boolean {
    return REFUSALS.has(this.failure);
  }
}
