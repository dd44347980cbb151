import { createHmac, timingSafeEqual } from 'node:crypto';
import { HangarError } from '@hangar/domain';
import type { FilePath } from './file-path';

/** A signing key: its id travels in the URL (`kid`), its secret never does. */
export interface SigningKey {
  readonly id: string;
  readonly secret: string;
}

/** What a signed URL grants: one version of one file, until `expiresAt` (seconds since the epoch, inclusive). */
export interface FileGrant {
  readonly spaceId: string;
  readonly path: FilePath;
  readonly version: number;
  readonly expiresAt: number;
  /** The Images API parameters of the one rendition granted (libs/media renditionQueryOf); none: the file itself. */
  readonly rendition?: Readonly<Record<string, string>> | undefined;
}

/** The query parameters of a signed URL, as they arrived (any may be missing or malformed). */
export interface SignedQuery {
  readonly version?: unknown;
  readonly exp?: unknown;
  readonly kid?: unknown;
  readonly sig?: unknown;
}

/** Why a signed URL was refused: the `details.reason` of its 403. */
export type SignatureProblem = 'malformed' | 'unknown-key' | 'invalid-signature' | 'expired';

const EXPLANATION: Record<SignatureProblem, string> = {
  malformed: 'The signed URL is incomplete: it needs version, exp, kid and sig.',
  'unknown-key': 'The signed URL was made with a key this server does not know (kid); ask for a new URL.',
  'invalid-signature': 'The signature does not match the URL: it was changed after it was signed.',
  expired: 'The signed URL has expired; ask for a new one.',
};

/** 403 AccessDenied whose `details.reason` says what is wrong with the URL. */
export class SignedUrlRefusedError extends HangarError {
  constructor(readonly problem: SignatureProblem) {
    super('AccessDenied', EXPLANATION[problem], { reason: problem, reasons: EXPLANATION[problem] });
  }
}

/** Thrown when a signed URL is asked for and no key is configured. */
export class SigningUnavailableError extends HangarError {
  constructor() {
    super('ServiceUnavailable', 'Signed file URLs are not configured on this server (FILE_URL_SIGNING_KEYS).', {
      setting: 'FILE_URL_SIGNING_KEYS',
    });
  }
}

const DIGITS = /^\d{1,15}$/;
/** HMAC-SHA256 in base64url: 43 characters. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/** Seconds since the epoch, now; tests pass their own. */
export type Clock = () => number;
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

/**
 * Signs and checks file URLs: HMAC-SHA256 over the space, the normalised path,
 * the version, the expiry and the key id, with the first configured key;
 * any configured key verifies (rotation). The signature is compared in
 * constant time, and checked before the expiry, so an altered URL is always
 * "invalid signature" and only a genuine one is ever "expired".
 */
export class FileUrlSigner {
  constructor(
    private readonly keys: readonly SigningKey[],
    private readonly clock: Clock = systemClock,
  ) {}

  get canSign(): boolean {
    return this.keys.length > 0;
  }

  now(): number {
    return this.clock();
  }

  /** The query of a signed URL for `grant`, in the order it is written. */
  sign(grant: FileGrant): Record<string, string> & { version: string; exp: string; kid: string; sig: string } {
    const key = this.keys[0];
    if (key === undefined) throw new SigningUnavailableError();
    return {
      ...grant.rendition,
      version: String(grant.version),
      exp: String(grant.expiresAt),
      kid: key.id,
      sig: signature(key, grant),
    };
  }

  /**
   * The grant a signed query proves for this space and path, or a 403 that
   * says why not. `rendition` is the query's Images API parameters: the
   * signature covers them, so adding, changing or dropping one is an
   * invalid signature.
   */
  verify(spaceId: string, path: FilePath, query: SignedQuery, rendition: Readonly<Record<string, string>> = {}): FileGrant {
    const { version, exp, kid, sig } = query;
    if (![version, exp].every((value) => typeof value === 'string' && DIGITS.test(value))) throw new SignedUrlRefusedError('malformed');
    if (typeof kid !== 'string' || typeof sig !== 'string') throw new SignedUrlRefusedError('malformed');
    const key = this.keys.find((candidate) => candidate.id === kid);
    if (key === undefined) throw new SignedUrlRefusedError('unknown-key');
    const grant: FileGrant = {
      spaceId,
      path,
      version: Number(version),
      expiresAt: Number(exp),
      ...(Object.keys(rendition).length > 0 ? { rendition } : {}),
    };
    if (!SIGNATURE.test(sig)) throw new SignedUrlRefusedError('invalid-signature');
    // The text is compared, not the decoded bytes: the 43rd character carries two unused bits, and a URL with
    // either of them flipped is still a changed URL.
    if (!timingSafeEqual(Buffer.from(signature(key, grant)), Buffer.from(sig))) throw new SignedUrlRefusedError('invalid-signature');
    if (this.clock() > grant.expiresAt) throw new SignedUrlRefusedError('expired');
    return grant;
  }
}

/**
 * Newline-separated (no field can hold one: paths refuse control characters, and the rendition is URL-encoded) and
 * versioned, so fields cannot run into each other. A URL for the file itself signs what v1 always signed (URLs made
 * before renditions keep working); one for a rendition is v2, with its parameters.
 */
function signature(key: SigningKey, grant: FileGrant): string {
  const fields = [key.id, grant.spaceId, grant.path.toString(), grant.version, grant.expiresAt];
  const rendition = new URLSearchParams(grant.rendition ?? {}).toString();
  const payload = rendition === '' ? ['hangar-file-url-v1', ...fields] : ['hangar-file-url-v2', ...fields, rendition];
  return createHmac('sha256', key.secret).update(payload.join('\n')).digest('base64url');
}
