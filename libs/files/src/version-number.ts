import { HangarError } from '@hangar/domain';

/** A `version` query value: a whole number from 1, or absent (the current version); 400 InvalidQuery otherwise. */
export function versionNumberOf(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,8}$/.test(raw)) {
    throw new HangarError('InvalidQuery', 'version must be a whole number from 1.', { parameter: 'version' });
  }
  return Number(raw);
}
