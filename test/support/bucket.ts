import type { StorageService } from '@hangar/storage';

/** Whether `key` is in the bucket (an exact key, not a prefix). */
export async function objectExists(storage: StorageService, key: string): Promise<boolean> {
  return (await storage.listKeys(key)).includes(key);
}

/** The whole of an object, for comparing stored bytes. */
export async function objectBytes(storage: StorageService, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
