-- DropIndex
DROP INDEX "AssetFile_objectKey_key";

-- DropIndex
DROP INDEX "FileExpansion_archiveKey_key";

-- DropIndex
DROP INDEX "FileVersion_objectKey_key";

-- DropIndex
DROP INDEX "PublishedAssetFile_objectKey_key";

-- DropIndex
DROP INDEX "Upload_objectKey_key";

-- AlterTable
ALTER TABLE "AssetFile" ADD COLUMN     "blobKey" TEXT;

-- AlterTable
ALTER TABLE "FileExpansion" ADD COLUMN     "blobKey" TEXT;

-- AlterTable
ALTER TABLE "FileVersion" ADD COLUMN     "blobKey" TEXT;

-- AlterTable
ALTER TABLE "PublishedAssetFile" ADD COLUMN     "blobKey" TEXT;

-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "blobKey" TEXT;

-- CreateTable
CREATE TABLE "Blob" (
    "objectKey" TEXT NOT NULL,
    "spaceId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "refCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unreferencedAt" TIMESTAMP(3),

    CONSTRAINT "Blob_pkey" PRIMARY KEY ("objectKey")
);

-- CreateIndex
CREATE INDEX "Blob_unreferencedAt_idx" ON "Blob"("unreferencedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Blob_spaceId_sha256_key" ON "Blob"("spaceId", "sha256");

-- CreateIndex
CREATE INDEX "AssetFile_objectKey_idx" ON "AssetFile"("objectKey");

-- CreateIndex
CREATE INDEX "AssetFile_blobKey_idx" ON "AssetFile"("blobKey");

-- CreateIndex
CREATE INDEX "FileExpansion_archiveKey_idx" ON "FileExpansion"("archiveKey");

-- CreateIndex
CREATE INDEX "FileExpansion_blobKey_idx" ON "FileExpansion"("blobKey");

-- CreateIndex
CREATE INDEX "FileVersion_objectKey_idx" ON "FileVersion"("objectKey");

-- CreateIndex
CREATE INDEX "FileVersion_blobKey_idx" ON "FileVersion"("blobKey");

-- CreateIndex
CREATE INDEX "PublishedAssetFile_objectKey_idx" ON "PublishedAssetFile"("objectKey");

-- CreateIndex
CREATE INDEX "PublishedAssetFile_blobKey_idx" ON "PublishedAssetFile"("blobKey");

-- CreateIndex
CREATE INDEX "Upload_objectKey_idx" ON "Upload"("objectKey");

-- CreateIndex
CREATE INDEX "Upload_blobKey_idx" ON "Upload"("blobKey");

-- AddForeignKey
ALTER TABLE "Upload" ADD CONSTRAINT "Upload_blobKey_fkey" FOREIGN KEY ("blobKey") REFERENCES "Blob"("objectKey") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AssetFile" ADD CONSTRAINT "AssetFile_blobKey_fkey" FOREIGN KEY ("blobKey") REFERENCES "Blob"("objectKey") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PublishedAssetFile" ADD CONSTRAINT "PublishedAssetFile_blobKey_fkey" FOREIGN KEY ("blobKey") REFERENCES "Blob"("objectKey") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FileVersion" ADD CONSTRAINT "FileVersion_blobKey_fkey" FOREIGN KEY ("blobKey") REFERENCES "Blob"("objectKey") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FileExpansion" ADD CONSTRAINT "FileExpansion_blobKey_fkey" FOREIGN KEY ("blobKey") REFERENCES "Blob"("objectKey") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A reference count can never go below zero: a second release of one reference is a bug, refused here.
ALTER TABLE "Blob" ADD CONSTRAINT "Blob_refCount_check" CHECK ("refCount" >= 0);

-- Existing bytes become blobs where they can without moving anything: one blob per (space, SHA-256), at the key of
-- one row that already holds those bytes (a processed asset file first). Rows at that key reference it; rows holding
-- a second copy of the same bytes elsewhere keep it as before (blobKey null: their key prefix's owner keeps answering
-- for it, and deleting them removes it) — but uploads, below.
INSERT INTO "Blob" ("objectKey", "spaceId", "sha256", "size")
SELECT DISTINCT ON ("spaceId", "sha256") "objectKey", "spaceId", "sha256", "size"
FROM (
  SELECT "objectKey", "spaceId", "sha256", "size", 1 AS "preference" FROM "AssetFile"
  WHERE "status" = 'ready' AND "sha256" IS NOT NULL AND "size" IS NOT NULL
  UNION ALL
  SELECT "objectKey", "spaceId", "sha256", "size", 2 FROM "PublishedAssetFile" WHERE "sha256" IS NOT NULL AND "size" IS NOT NULL
  UNION ALL
  SELECT v."objectKey", f."spaceId", v."sha256", v."size", 3 FROM "FileVersion" v JOIN "File" f ON f."id" = v."fileId"
  UNION ALL
  SELECT "objectKey", "spaceId", "sha256", "size", 4 FROM "Upload" WHERE "status" = 'ready' AND "sha256" IS NOT NULL AND "size" IS NOT NULL
) AS "held"
ORDER BY "spaceId", "sha256", "preference", "objectKey"
ON CONFLICT DO NOTHING;

UPDATE "AssetFile" SET "blobKey" = "objectKey"
WHERE "status" = 'ready' AND EXISTS (SELECT 1 FROM "Blob" b WHERE b."objectKey" = "AssetFile"."objectKey");
UPDATE "PublishedAssetFile" SET "blobKey" = "objectKey"
WHERE EXISTS (SELECT 1 FROM "Blob" b WHERE b."objectKey" = "PublishedAssetFile"."objectKey");
UPDATE "FileVersion" SET "blobKey" = "objectKey"
WHERE EXISTS (SELECT 1 FROM "Blob" b WHERE b."objectKey" = "FileVersion"."objectKey");
UPDATE "FileExpansion" SET "blobKey" = "archiveKey"
WHERE EXISTS (SELECT 1 FROM "Blob" b WHERE b."objectKey" = "FileExpansion"."archiveKey");
-- Every ready upload references its blob (processing reads the bytes from there): one holding a second copy is
-- pointed at the first, and its own copy, owned by nothing now, goes with the orphan sweeper. Uploads are never
-- delivered, and the bytes are the same (same SHA-256).
UPDATE "Upload" u SET "blobKey" = b."objectKey", "objectKey" = b."objectKey"
FROM "Blob" b
WHERE u."status" = 'ready' AND b."spaceId" = u."spaceId" AND b."sha256" = u."sha256";

UPDATE "Blob" b SET "refCount" = c."references"
FROM (
  SELECT "blobKey", count(*)::integer AS "references" FROM (
    SELECT "blobKey" FROM "AssetFile" UNION ALL SELECT "blobKey" FROM "PublishedAssetFile"
    UNION ALL SELECT "blobKey" FROM "FileVersion" UNION ALL SELECT "blobKey" FROM "Upload"
    UNION ALL SELECT "blobKey" FROM "FileExpansion"
  ) AS "refs" WHERE "blobKey" IS NOT NULL GROUP BY "blobKey"
) AS c
WHERE b."objectKey" = c."blobKey";

-- Reference counts, kept by PostgreSQL in the same transaction as the rows that reference blobs: no code path
-- (a cascade from a deleted space or environment included) can change a reference without its count.
CREATE FUNCTION "hangar_blob_count"("key" TEXT, "delta" INTEGER) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Blob"
  SET "refCount" = "refCount" + "delta",
      "unreferencedAt" = CASE WHEN "refCount" + "delta" = 0 THEN (now() AT TIME ZONE 'UTC') ELSE NULL END
  WHERE "objectKey" = "key";
  IF NOT FOUND THEN
    RAISE EXCEPTION 'blob % is not stored', "key" USING ERRCODE = 'foreign_key_violation';
  END IF;
END $$;

-- A row that starts or stops referencing a blob (insert, or an update that changes blobKey).
CREATE FUNCTION "hangar_blob_reference_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."blobKey" IS NOT NULL THEN
    PERFORM "hangar_blob_count"(OLD."blobKey", -1);
  END IF;
  IF NEW."blobKey" IS NOT NULL THEN
    PERFORM "hangar_blob_count"(NEW."blobKey", 1);
  END IF;
  RETURN NULL;
END $$;

-- Rows deleted by one statement (a purge batch, a cascade) release their blobs in one update, locking the blobs in
-- key order so that two such statements cannot deadlock on them.
CREATE FUNCTION "hangar_blob_references_removed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "Blob"
  WHERE "objectKey" IN (SELECT "blobKey" FROM "removed" WHERE "blobKey" IS NOT NULL)
  ORDER BY "objectKey" FOR NO KEY UPDATE;
  UPDATE "Blob" b
  SET "refCount" = b."refCount" - r."references",
      "unreferencedAt" = CASE WHEN b."refCount" - r."references" = 0 THEN (now() AT TIME ZONE 'UTC') ELSE b."unreferencedAt" END
  FROM (SELECT "blobKey", count(*)::integer AS "references" FROM "removed" WHERE "blobKey" IS NOT NULL GROUP BY "blobKey") AS r
  WHERE b."objectKey" = r."blobKey";
  RETURN NULL;
END $$;

-- An upload that becomes ready references the blob of its bytes in its space: the one already stored, or a new one
-- at the key the session wrote. Its objectKey becomes the blob's, so every reader finds the bytes; the session's own
-- copy, when the bytes were already there, is the caller's to remove (the orphan sweeper's if it cannot).
CREATE FUNCTION "hangar_upload_takes_blob"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  "blob_key" TEXT;
BEGIN
  LOOP
    -- Locked until this transaction ends: the reaper skips it even while its count is still zero.
    SELECT "objectKey" INTO "blob_key" FROM "Blob" WHERE "spaceId" = NEW."spaceId" AND "sha256" = NEW."sha256" FOR NO KEY UPDATE;
    EXIT WHEN FOUND;
    INSERT INTO "Blob" ("objectKey", "spaceId", "sha256", "size")
    VALUES (NEW."objectKey", NEW."spaceId", NEW."sha256", COALESCE(NEW."size", NEW."receivedBytes"))
    ON CONFLICT DO NOTHING
    RETURNING "objectKey" INTO "blob_key";
    EXIT WHEN FOUND;
  END LOOP;
  NEW."blobKey" := "blob_key";
  NEW."objectKey" := "blob_key";
  RETURN NEW;
END $$;

CREATE TRIGGER "Upload_takes_blob" BEFORE INSERT OR UPDATE ON "Upload" FOR EACH ROW
  WHEN (NEW."status" = 'ready' AND NEW."sha256" IS NOT NULL AND NEW."blobKey" IS NULL)
  EXECUTE FUNCTION "hangar_upload_takes_blob"();

CREATE TRIGGER "Upload_blob_inserted" AFTER INSERT ON "Upload" FOR EACH ROW
  WHEN (NEW."blobKey" IS NOT NULL) EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "Upload_blob_updated" AFTER UPDATE ON "Upload" FOR EACH ROW
  WHEN (OLD."blobKey" IS DISTINCT FROM NEW."blobKey") EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "Upload_blob_deleted" AFTER DELETE ON "Upload" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "hangar_blob_references_removed"();

CREATE TRIGGER "AssetFile_blob_inserted" AFTER INSERT ON "AssetFile" FOR EACH ROW
  WHEN (NEW."blobKey" IS NOT NULL) EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "AssetFile_blob_updated" AFTER UPDATE ON "AssetFile" FOR EACH ROW
  WHEN (OLD."blobKey" IS DISTINCT FROM NEW."blobKey") EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "AssetFile_blob_deleted" AFTER DELETE ON "AssetFile" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "hangar_blob_references_removed"();

CREATE TRIGGER "PublishedAssetFile_blob_inserted" AFTER INSERT ON "PublishedAssetFile" FOR EACH ROW
  WHEN (NEW."blobKey" IS NOT NULL) EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "PublishedAssetFile_blob_updated" AFTER UPDATE ON "PublishedAssetFile" FOR EACH ROW
  WHEN (OLD."blobKey" IS DISTINCT FROM NEW."blobKey") EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "PublishedAssetFile_blob_deleted" AFTER DELETE ON "PublishedAssetFile" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "hangar_blob_references_removed"();

CREATE TRIGGER "FileVersion_blob_inserted" AFTER INSERT ON "FileVersion" FOR EACH ROW
  WHEN (NEW."blobKey" IS NOT NULL) EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "FileVersion_blob_updated" AFTER UPDATE ON "FileVersion" FOR EACH ROW
  WHEN (OLD."blobKey" IS DISTINCT FROM NEW."blobKey") EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "FileVersion_blob_deleted" AFTER DELETE ON "FileVersion" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "hangar_blob_references_removed"();

CREATE TRIGGER "FileExpansion_blob_inserted" AFTER INSERT ON "FileExpansion" FOR EACH ROW
  WHEN (NEW."blobKey" IS NOT NULL) EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "FileExpansion_blob_updated" AFTER UPDATE ON "FileExpansion" FOR EACH ROW
  WHEN (OLD."blobKey" IS DISTINCT FROM NEW."blobKey") EXECUTE FUNCTION "hangar_blob_reference_changed"();
CREATE TRIGGER "FileExpansion_blob_deleted" AFTER DELETE ON "FileExpansion" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "hangar_blob_references_removed"();
