-- CreateEnum
CREATE TYPE "AssetFileStatus" AS ENUM ('processing', 'ready', 'failed');

-- CreateTable
CREATE TABLE "Asset" (
    "spaceId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "fields" JSONB NOT NULL,
    "title" TEXT,
    "contentType" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedById" TEXT NOT NULL,
    "publishedVersion" INTEGER,
    "publishedAt" TIMESTAMP(3),
    "publishedById" TEXT,
    "publishedCounter" INTEGER NOT NULL DEFAULT 0,
    "firstPublishedAt" TIMESTAMP(3),
    "archivedVersion" INTEGER,
    "archivedAt" TIMESTAMP(3),
    "archivedById" TEXT,

    CONSTRAINT "Asset_pkey" PRIMARY KEY ("spaceId","environmentId","id")
);

-- CreateTable
CREATE TABLE "AssetFile" (
    "spaceId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "status" "AssetFileStatus" NOT NULL,
    "requestedVersion" INTEGER NOT NULL,
    "uploadId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "objectKey" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "contentType" TEXT,
    "size" BIGINT,
    "sha256" TEXT,
    "width" INTEGER,
    "height" INTEGER,
    "failureReason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AssetFile_pkey" PRIMARY KEY ("spaceId","environmentId","assetId","locale")
);

-- CreateIndex
CREATE INDEX "Asset_spaceId_environmentId_createdAt_id_idx" ON "Asset"("spaceId", "environmentId", "createdAt" DESC, "id");

-- CreateIndex
CREATE INDEX "Asset_spaceId_environmentId_updatedAt_id_idx" ON "Asset"("spaceId", "environmentId", "updatedAt" DESC, "id");

-- CreateIndex
CREATE INDEX "Asset_spaceId_environmentId_title_id_idx" ON "Asset"("spaceId", "environmentId", "title", "id");

-- CreateIndex
CREATE INDEX "Asset_spaceId_environmentId_contentType_id_idx" ON "Asset"("spaceId", "environmentId", "contentType", "id");

-- CreateIndex
CREATE UNIQUE INDEX "AssetFile_token_key" ON "AssetFile"("token");

-- CreateIndex
CREATE UNIQUE INDEX "AssetFile_objectKey_key" ON "AssetFile"("objectKey");

-- AddForeignKey
ALTER TABLE "Asset" ADD CONSTRAINT "Asset_spaceId_environmentId_fkey" FOREIGN KEY ("spaceId", "environmentId") REFERENCES "Environment"("spaceId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AssetFile" ADD CONSTRAINT "AssetFile_spaceId_environmentId_assetId_fkey" FOREIGN KEY ("spaceId", "environmentId", "assetId") REFERENCES "Asset"("spaceId", "environmentId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
