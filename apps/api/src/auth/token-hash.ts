import { createHash, randomBytes } from 'node:crypto';

/**
 * Tokens carry 256 random bits, so a plain SHA-256 is a safe one-way store
 * and lets us find a token by an indexed equality on its hash: the lookup
 * compares hashes, never the secret itself, so its timing reveals nothing
 * about any stored token.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new personal access token in Contentful's `CFPAT-` format. */
export function generateToken(): string {
  return `CFPAT-${randomBytes(32).toString('base64url')}`;
}
