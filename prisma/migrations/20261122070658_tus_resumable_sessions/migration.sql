-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "resumable" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "tusConcat" TEXT,
ADD COLUMN     "tusLength" BIGINT,
ADD COLUMN     "tusMetadata" TEXT;
