import { Injectable } from '@nestjs/common';

/**
 * A kind of row that owns the objects under one key prefix of the bucket
 * (uploads, asset files; renditions and file versions next). Each domain lib
 * registers its owner; the orphan sweeper, and anything else that must know
 * whether an object is still wanted, asks the registry instead of knowing
 * the tables.
 */
export interface ObjectOwner {
  /** What owns these objects, for logs: `upload`, `asset-file`. */
  readonly kind: string;
  /** The key prefix this owner's objects live under, ending in `/`. */
  readonly prefix: string;
  /** Of `keys` (all under the prefix), the ones a row owns. */
  ownedKeys(keys: readonly string[]): Promise<Set<string>>;
  /** Whether the multipart upload `uploadId`, writing `key`, belongs to a row that still needs it. */
  ownsMultipart(key: string, uploadId: string): Promise<boolean>;
}

/**
 * Rows that own objects wherever their keys lie: content-addressed blobs, whose object stays where the first copy
 * of the bytes was written (under `uploads/` or `files/`) while rows of other kinds reference it.
 */
export interface ObjectKeyIndex {
  readonly kind: string;
  /** Of `keys`, the ones this index owns. */
  ownedKeys(keys: readonly string[]): Promise<Set<string>>;
}

/**
 * Every {@link ObjectOwner}, and the {@link ObjectKeyIndex}es consulted for every key. A key that neither its
 * prefix's owner nor an index owns has no owner.
 */
@Injectable()
export class ObjectOwnershipRegistry {
  private readonly owners: ObjectOwner[] = [];
  private readonly indexes: ObjectKeyIndex[] = [];

  /** Called by each owner as its module starts; two owners of overlapping prefixes are a programming error. */
  register(owner: ObjectOwner): void {
    const existing = this.owners.find((other) => other === owner || other.kind === owner.kind);
    if (existing) return;
    const clash = this.owners.find((other) => other.prefix.startsWith(owner.prefix) || owner.prefix.startsWith(other.prefix));
    if (clash) throw new Error(`object owners ${clash.kind} (${clash.prefix}) and ${owner.kind} (${owner.prefix}) overlap`);
    this.owners.push(owner);
  }

  /** Called by an index as its module starts. */
  registerIndex(index: ObjectKeyIndex): void {
    if (!this.indexes.some((other) => other === index || other.kind === index.kind)) this.indexes.push(index);
  }

  kinds(): string[] {
    return [...this.owners, ...this.indexes].map((owner) => owner.kind);
  }

  ownerOf(key: string): ObjectOwner | undefined {
    return this.owners.find((owner) => key.startsWith(owner.prefix));
  }

  /** Of `keys`, the ones some row owns. */
  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const byOwner = new Map<ObjectOwner, string[]>();
    for (const key of keys) {
      const owner = this.ownerOf(key);
      if (owner) byOwner.set(owner, [...(byOwner.get(owner) ?? []), key]);
    }
    const owned = new Set<string>();
    for (const index of this.indexes) for (const key of await index.ownedKeys(keys)) owned.add(key);
    for (const [owner, ownerKeys] of byOwner) {
      const unsettled = ownerKeys.filter((key) => !owned.has(key));
      if (unsettled.length > 0) for (const key of await owner.ownedKeys(unsettled)) owned.add(key);
    }
    return owned;
  }

  /** Whether a row still needs the multipart upload `uploadId` writing `key`. */
  async ownsMultipart(key: string, uploadId: string): Promise<boolean> {
    return (await this.ownerOf(key)?.ownsMultipart(key, uploadId)) ?? false;
  }
}
