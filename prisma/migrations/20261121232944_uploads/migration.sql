-- CreateEnum
CREATE TYPE "UploadStatus" AS ENUM ('pending', 'ready', 'deleting');

-- CreateTable
CREATE TABLE "Upload" (
    "id" TEXT NOT NULL,
    "spaceId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "status" "UploadStatus" NOT NULL DEFAULT 'pending',
    "objectKey" TEXT NOT NULL,
    "size" BIGINT,
    "sha256" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Upload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Upload_objectKey_key" ON "Upload"("objectKey");

-- CreateIndex
CREATE INDEX "Upload_expiresAt_idx" ON "Upload"("expiresAt");

-- CreateIndex
CREATE INDEX "Upload_status_updatedAt_idx" ON "Upload"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "Upload_spaceId_environmentId_idx" ON "Upload"("spaceId", "environmentId");

-- AddForeignKey
ALTER TABLE "Upload" ADD CONSTRAINT "Upload_spaceId_environmentId_fkey" FOREIGN KEY ("spaceId", "environmentId") REFERENCES "Environment"("spaceId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
