import yazl from 'yazl';

export interface ZipItem {
  readonly name: string;
  /** A directory entry when absent. */
  readonly bytes?: Buffer;
  readonly compress?: boolean;
  readonly mode?: number;
  readonly zip64?: boolean;
  readonly comment?: string;
}

/** A ZIP archive built by yazl, whole in memory. */
export async function buildZip(items: readonly ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    if (item.bytes === undefined) zip.addEmptyDirectory(item.name);
    else
      zip.addBuffer(item.bytes, item.name, {
        compress: item.compress ?? true,
        ...(item.mode === undefined ? {} : { mode: item.mode }),
        forceZip64Format: item.zip64 ?? false,
        ...(item.comment === undefined ? {} : { fileComment: item.comment }),
      });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Renames an entry in both its headers: yazl refuses unsafe names (`../x`, `/abs`, `a\b`), so an archive holding one
 * is built with a placeholder of the same length and patched. Every occurrence of the placeholder changes.
 */
export function renameEntry(archive: Buffer, placeholder: string, name: string): Buffer {
  const from = Buffer.from(placeholder);
  const to = Buffer.from(name);
  if (from.length !== to.length) throw new Error('the placeholder and the name must have the same length in bytes');
  const patched = Buffer.from(archive);
  let found = 0;
  for (let at = patched.indexOf(from); at !== -1; at = patched.indexOf(from, at + 1)) {
    to.copy(patched, at);
    found += 1;
  }
  if (found !== 2) throw new Error(`expected the placeholder in two headers, found it ${found} times`);
  return patched;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;

/** Sets general-purpose bit 0 (encrypted) in every local and central header of an archive. */
export function markEncrypted(archive: Buffer): Buffer {
  const patched = Buffer.from(archive);
  for (let at = 0; at + 4 <= patched.length; at += 1) {
    const signature = patched.readUInt32LE(at);
    if (signature === LOCAL_HEADER) patched.writeUInt16LE(patched.readUInt16LE(at + 6) | 1, at + 6);
    else if (signature === CENTRAL_HEADER) patched.writeUInt16LE(patched.readUInt16LE(at + 8) | 1, at + 8);
  }
  return patched;
}

/**
 * An archive of `count` empty directory entries (`d/0/`, `d/1/`…), written directly (yazl takes minutes for 100,000
 * entries and blocks the event loop meanwhile). Over 65,535 entries it ends with the zip64 end records, as it must.
 */
export function manyDirectoriesZip(count: number): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let index = 0; index < count; index += 1) {
    const name = Buffer.from(`d/${index}/`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o40755 << 16) | 0x10) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name);
    centrals.push(central, name);
    offset += 30 + name.length;
  }
  const directory = Buffer.concat(centrals);
  const zip64End = Buffer.alloc(56);
  zip64End.writeUInt32LE(0x06064b50, 0);
  zip64End.writeBigUInt64LE(44n, 4);
  zip64End.writeUInt16LE(0x032d, 12);
  zip64End.writeUInt16LE(45, 14);
  zip64End.writeBigUInt64LE(BigInt(count), 24);
  zip64End.writeBigUInt64LE(BigInt(count), 32);
  zip64End.writeBigUInt64LE(BigInt(directory.length), 40);
  zip64End.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, ...(count > 0xffff ? [zip64End, locator] : []), end]);
}
