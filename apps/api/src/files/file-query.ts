import { FileAcl } from '@hangar/database';
import { HangarError } from '@hangar/domain';
import { essenceOf } from '@hangar/media';

const ACLS: readonly string[] = Object.values(FileAcl);

/** `acl`: `public` or `private`, or absent; 400 InvalidQuery otherwise. */
export function aclOf(raw: unknown): FileAcl | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !ACLS.includes(raw)) {
    throw new HangarError('InvalidQuery', 'acl must be public or private.', { parameter: 'acl' });
  }
  return raw as FileAcl;
}

/** `contentType`: the type the client says the bytes are, an RFC 9110 media type of at most 255 characters. */
export function declaredTypeOf(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length > 255 || essenceOf(raw) === undefined || !/^[\x20-\x7e]*$/.test(raw)) {
    throw new HangarError('InvalidQuery', 'contentType must be a media type such as text/plain.', { parameter: 'contentType' });
  }
  return raw;
}

/** `expiresIn`: seconds, a whole number (its bounds are the files lib's to check), or absent. */
export function secondsOf(raw: unknown, parameter: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) {
    throw new HangarError('InvalidQuery', `${parameter} must be a whole number of seconds.`, { parameter });
  }
  return Number(raw);
}
