-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "contentType" TEXT,
ADD COLUMN     "fileName" TEXT;
