-- CreateEnum
CREATE TYPE "FileAcl" AS ENUM ('public', 'private');

-- CreateTable
CREATE TABLE "File" (
    "id" TEXT NOT NULL,
    "spaceId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "folder" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "acl" "FileAcl" NOT NULL DEFAULT 'private',
    "currentVersion" INTEGER NOT NULL,
    "lastVersion" INTEGER NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedById" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "File_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FileVersion" (
    "fileId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "objectKey" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "declaredType" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FileVersion_pkey" PRIMARY KEY ("fileId","number")
);

-- CreateTable
CREATE TABLE "FileFolder" (
    "spaceId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "parent" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "explicit" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FileFolder_pkey" PRIMARY KEY ("spaceId","path")
);

-- CreateIndex
CREATE INDEX "File_spaceId_folder_name_idx" ON "File"("spaceId", "folder", "name");

-- CreateIndex
CREATE UNIQUE INDEX "File_spaceId_path_key" ON "File"("spaceId", "path");

-- CreateIndex
CREATE UNIQUE INDEX "FileVersion_objectKey_key" ON "FileVersion"("objectKey");

-- CreateIndex
CREATE INDEX "FileFolder_spaceId_parent_name_idx" ON "FileFolder"("spaceId", "parent", "name");

-- AddForeignKey
ALTER TABLE "File" ADD CONSTRAINT "File_spaceId_fkey" FOREIGN KEY ("spaceId") REFERENCES "Space"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FileVersion" ADD CONSTRAINT "FileVersion_fileId_fkey" FOREIGN KEY ("fileId") REFERENCES "File"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FileFolder" ADD CONSTRAINT "FileFolder_spaceId_fkey" FOREIGN KEY ("spaceId") REFERENCES "Space"("id") ON DELETE CASCADE ON UPDATE CASCADE;
