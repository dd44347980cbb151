-- AlterTable
ALTER TABLE "Asset" ADD COLUMN     "publishedContentType" TEXT,
ADD COLUMN     "publishedFields" JSONB,
ADD COLUMN     "publishedTitle" TEXT;

-- CreateIndex
CREATE INDEX "Asset_spaceId_environmentId_publishedTitle_id_idx" ON "Asset"("spaceId", "environmentId", "publishedTitle", "id");

-- CreateIndex
CREATE INDEX "Asset_spaceId_environmentId_publishedContentType_id_idx" ON "Asset"("spaceId", "environmentId", "publishedContentType", "id");

-- Backfill (additive: nothing is dropped or rewritten): an asset published before this migration had no snapshot;
-- its draft at migration time is the best record of what was published (exact unless it was saved since).
UPDATE "Asset" SET "publishedFields" = "fields", "publishedTitle" = "title", "publishedContentType" = "contentType"
WHERE "publishedVersion" IS NOT NULL;
