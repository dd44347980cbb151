import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { type ObjectOwner, ObjectOwnershipRegistry } from '@hangar/storage';
import { parseRenditionKey, RENDITIONS_PREFIX } from './rendition-keys';

/** One source's bytes in one space. */
export interface SourceBytes {
  readonly spaceId: string;
  readonly sha256: string;
}

/**
 * Renditions belong to the bytes they were made from: a rendition object is
 * owned while any file of its space has those bytes — a ready asset file, a
 * published snapshot's file, or a version of a path-addressed file. These
 * are the three places bytes are delivered from, so this is the one query
 * that knows them (the renditions' own, as each domain lib's owner knows its
 * rows).
 */
@Injectable()
export class RenditionObjectOwner implements ObjectOwner, OnModuleInit {
  readonly kind = 'rendition';
  readonly prefix = RENDITIONS_PREFIX;

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: ObjectOwnershipRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    const named = keys.flatMap((key) => {
      const source = parseRenditionKey(key);
      return source ? [{ key, ...source }] : [];
    });
    const referenced = await this.referenced(named);
    return new Set(named.filter((item) => referenced.has(sourceId(item))).map((item) => item.key));
  }

  /** Renditions are written with one PUT: none has a multipart upload. */
  ownsMultipart(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Of `sources`, the ones some file of their space still has (as `space/sha256`). */
  async referenced(sources: readonly SourceBytes[]): Promise<Set<string>> {
    if (sources.length === 0) return new Set();
    const spaces = sources.map((source) => source.spaceId);
    const hashes = sources.map((source) => source.sha256);
    const rows = await this.prisma.$queryRaw<{ spaceId: string; sha256: string }[]>`
      WITH "wanted" AS (SELECT * FROM unnest(${spaces}::text[], ${hashes}::text[]) AS w("spaceId", "sha256"))
      SELECT w."spaceId", w."sha256" FROM "wanted" w
      WHERE EXISTS (SELECT 1 FROM "AssetFile" a WHERE a."spaceId" = w."spaceId" AND a."sha256" = w."sha256" AND a."status" = 'ready')
         OR EXISTS (SELECT 1 FROM "PublishedAssetFile" p WHERE p."spaceId" = w."spaceId" AND p."sha256" = w."sha256")
         OR EXISTS (
              SELECT 1 FROM "FileVersion" v JOIN "File" f ON f."id" = v."fileId"
              WHERE v."sha256" = w."sha256" AND f."spaceId" = w."spaceId")`;
    return new Set(rows.map(sourceId));
  }
}

function sourceId(source: SourceBytes): string {
  return `${source.spaceId}/${source.sha256}`;
}
