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

/** Every {@link ObjectOwner}; a key under no registered prefix has no owner. */
@Injectable()
export class ObjectOwnershipRegistry {
  private readonly owners: ObjectOwner[] = [];

  /** Called by each owner as its module starts; two owners of overlapping prefixes are a programming error. */
  register(owner: ObjectOwner): void {
    const existing = this.owners.find((other) => other === owner || other.kind === owner.kind);
    if (existing) return;
    const clash = this.owners.find((other) => other.prefix.startsWith(owner.prefix) || owner.prefix.startsWith(other.prefix));
    if (clash) throw new Error(`object owners ${clash.kind} (${clash.prefix}) and ${owner.kind} (${owner.prefix}) overlap`);
    this.owners.push(owner);
  }

  kinds(): string[] {
    return this.owners.map((owner) => owner.kind);
  }

  ownerOf(key: string): ObjectOwner | undefined {
    return this.owners.find((owner) => key.startsWith(owner.prefix));
  }

  /** Of `keys`, the ones some row owns. */
  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    const byOwner = new Map<ObjectOwner, string[]>();
    for (const key of keys) {
      const owner = this.ownerOf(key);
      if (owner) byOwner.set(owner, [...(byOwner.get(owner) ?? []), key]);
    }
    const owned = new Set<string>();
    for (const [owner, ownerKeys] of byOwner) for (const key of await owner.ownedKeys(ownerKeys)) owned.add(key);
    return owned;
  }

  /** Whether a row still needs the multipart upload `uploadId` writing `key`. */
  async ownsMultipart(key: string, uploadId: string): Promise<boolean> {
    return (await this.ownerOf(key)?.ownsMultipart(key, uploadId)) ?? false;
  }
}
