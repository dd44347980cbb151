import { HangarError } from '@hangar/domain';
import type { FormFileBody } from '../doors/form-files';

/**
 * The one file of a dialect's multipart request (Comapi, Capillary and Akana
 * each take a single `file`), written as it streams. Parts arrive in order and
 * a file is stored before what follows it is read, so a second file part is
 * seen only after the first is written: the request is then refused (400)
 * and `undo` takes the first back out, so a refused request leaves nothing.
 * A form without a file part writes `undefined` (Capillary's placeholder)
 * when the bodies allow it.
 */
export async function writeOneFormFile<T>(
  bodies: AsyncGenerator<FormFileBody>,
  write: (body: FormFileBody | undefined) => Promise<T>,
  undo: (written: T) => Promise<void>,
): Promise<T> {
  const first = await bodies.next();
  if (first.done === true) return write(undefined);
  const result = await write(first.value);
  let next: IteratorResult<FormFileBody>;
  try {
    next = await bodies.next();
  } catch (error) {
    await undo(result);
    throw error;
  }
  if (next.done !== true) {
    await bodies.return(undefined);
    await undo(result);
    throw new HangarError('BadRequest', 'Send one file per request: the form has more than one file part.', { path: ['file'] });
  }
  return result;
}
