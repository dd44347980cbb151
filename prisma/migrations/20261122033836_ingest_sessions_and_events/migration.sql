-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "multipartUploadId" TEXT,
ADD COLUMN     "partCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "receivedBytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "tailBytes" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "DomainEvent" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "spaceId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "actorId" TEXT,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DomainEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DomainEvent_spaceId_environmentId_id_idx" ON "DomainEvent"("spaceId", "environmentId", "id");
