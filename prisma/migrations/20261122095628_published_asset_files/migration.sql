-- CreateTable
CREATE TABLE "PublishedAssetFile" (
    "spaceId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "objectKey" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "contentType" TEXT,
    "size" BIGINT,
    "sha256" TEXT,
    "processedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PublishedAssetFile_pkey" PRIMARY KEY ("spaceId","environmentId","assetId","locale")
);

-- CreateIndex
CREATE UNIQUE INDEX "PublishedAssetFile_token_key" ON "PublishedAssetFile"("token");

-- CreateIndex
CREATE UNIQUE INDEX "PublishedAssetFile_objectKey_key" ON "PublishedAssetFile"("objectKey");

-- AddForeignKey
ALTER TABLE "PublishedAssetFile" ADD CONSTRAINT "PublishedAssetFile_spaceId_environmentId_assetId_fkey" FOREIGN KEY ("spaceId", "environmentId", "assetId") REFERENCES "Asset"("spaceId", "environmentId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill (additive): assets published before this migration keep serving the files their snapshot names
-- (the ready file of each locale of the snapshot, as the previous migration took the snapshot from the draft).
INSERT INTO "PublishedAssetFile" ("spaceId", "environmentId", "assetId", "locale", "token", "objectKey", "fileName",
  "contentType", "size", "sha256", "processedAt")
SELECT f."spaceId", f."environmentId", f."assetId", f."locale", f."token", f."objectKey", f."fileName",
  f."contentType", f."size", f."sha256", f."updatedAt"
FROM "AssetFile" f
JOIN "Asset" a ON a."spaceId" = f."spaceId" AND a."environmentId" = f."environmentId" AND a."id" = f."assetId"
WHERE a."publishedVersion" IS NOT NULL AND f."status" = 'ready';
