import { createHash, type Hash } from 'node:crypto';

/**
 * An answer of the tus protocol itself (a status and a short text body), as
 * @tus/server throws and answers them: offset conflicts, checksum mismatches,
 * locked uploads. Errors of the ingestion core that are not tus's (a full
 * slot, an idle body, storage down) stay `HangarError`s, answered
 * Contentful-shaped.
 */
export class TusProtocolError extends Error {
  constructor(
    readonly status_code: number,
    readonly body: string,
  ) {
    super(body.trim());
  }
}

/** One of @tus/server's own answers (its `ERRORS` are plain objects), thrown as an Error. */
export function tusError({ status_code, body }: { status_code: number; body: string }): TusProtocolError {
  return new TusProtocolError(status_code, body);
}

/** True for an error @tus/server answers with its own status (its `ERRORS` and ours above). */
export function isTusAnswer(error: unknown): error is { status_code: number; body: string } {
  const candidate = error as { status_code?: unknown; body?: unknown } | null | undefined;
  return typeof candidate?.status_code === 'number' && typeof candidate.body === 'string';
}

/** The checksum extension's algorithms (tus requires sha1; sha256 is what the rest of Hangar uses). */
export const TUS_CHECKSUM_ALGORITHMS = ['sha1', 'sha256'] as const;
export type TusChecksumAlgorithm = (typeof TUS_CHECKSUM_ALGORITHMS)[number];

/** A request's `Upload-Checksum: <algorithm> <base64 digest>`. */
export interface UploadChecksum {
  readonly algorithm: TusChecksumAlgorithm;
  readonly digest: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DIGEST_BYTES: Record<TusChecksumAlgorithm, number> = { sha1: 20, sha256: 32 };

/**
 * Reads `Upload-Checksum`: undefined when absent, a 400 answer for an
 * algorithm we do not offer or a value that is not `<algorithm> <base64>`.
 */
export function parseUploadChecksum(header: string | undefined): UploadChecksum | TusProtocolError | undefined {
  if (header === undefined) return undefined;
  const [algorithm, encoded, ...rest] = header.trim().split(/ +/);
  if (!TUS_CHECKSUM_ALGORITHMS.includes(algorithm as TusChecksumAlgorithm)) {
    return new TusProtocolError(400, `Unsupported checksum algorithm; use one of: ${TUS_CHECKSUM_ALGORITHMS.join(', ')}\n`);
  }
  const digest = encoded !== undefined && BASE64.test(encoded) && rest.length === 0 ? Buffer.from(encoded, 'base64') : undefined;
  if (digest?.length !== DIGEST_BYTES[algorithm as TusChecksumAlgorithm]) {
    return new TusProtocolError(400, 'Upload-Checksum must be "<algorithm> <base64 digest>"\n');
  }
  return { algorithm: algorithm as TusChecksumAlgorithm, digest };
}

/** The checksum extension's status for a body whose digest is not the one announced. */
export const CHECKSUM_MISMATCH = new TusProtocolError(460, 'Checksum mismatch\n');

/**
 * Passes a request body through, hashing it, and fails with 460 at its end
 * when the digest is not the announced one. The failure reaches the
 * ingestion core before it records the append, so the bytes are discarded
 * and the offset stays where it was, as the checksum extension requires —
 * without holding the body anywhere first.
 */
export async function* checksumVerified(chunks: AsyncIterable<Buffer>, checksum: UploadChecksum): AsyncGenerator<Buffer> {
  const hash: Hash = createHash(checksum.algorithm);
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
  if (!hash.digest().equals(checksum.digest)) throw CHECKSUM_MISMATCH;
}

/**
 * Passes a body that must be exactly `length` bytes (the last append of an
 * upload, written as its last part): a body that ends short — the client went
 * away — fails, so no short object is ever completed; the client sends it again.
 */
export async function* exactly(chunks: AsyncIterable<Buffer>, length: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of chunks) {
    seen += chunk.length;
    yield chunk;
  }
  if (seen !== length) throw new TusProtocolError(400, `The body ended after ${seen} of the ${length} bytes announced\n`);
}
