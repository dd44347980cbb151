-- CreateEnum
CREATE TYPE "FileExpansionStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "FileExpansion" (
    "id" TEXT NOT NULL,
    "spaceId" TEXT NOT NULL,
    "folder" TEXT NOT NULL,
    "status" "FileExpansionStatus" NOT NULL DEFAULT 'pending',
    "acl" "FileAcl",
    "archiveKey" TEXT,
    "archiveSize" BIGINT NOT NULL,
    "archiveSha256" TEXT NOT NULL,
    "entryCount" INTEGER,
    "fileCount" INTEGER NOT NULL DEFAULT 0,
    "folderCount" INTEGER NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "errorReason" TEXT,
    "errorMessage" TEXT,
    "errorEntry" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "FileExpansion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "FileExpansion_archiveKey_key" ON "FileExpansion"("archiveKey");

-- CreateIndex
CREATE INDEX "FileExpansion_spaceId_createdAt_idx" ON "FileExpansion"("spaceId", "createdAt");

-- CreateIndex
CREATE INDEX "FileExpansion_status_createdAt_idx" ON "FileExpansion"("status", "createdAt");

-- AddForeignKey
ALTER TABLE "FileExpansion" ADD CONSTRAINT "FileExpansion_spaceId_fkey" FOREIGN KEY ("spaceId") REFERENCES "Space"("id") ON DELETE CASCADE ON UPDATE CASCADE;
