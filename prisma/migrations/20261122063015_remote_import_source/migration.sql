-- AlterTable
ALTER TABLE "AssetFile" ADD COLUMN     "sourceUrl" TEXT,
ALTER COLUMN "uploadId" DROP NOT NULL;
