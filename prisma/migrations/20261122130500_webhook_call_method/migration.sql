-- AlterTable
ALTER TABLE "WebhookCall" ADD COLUMN     "method" TEXT NOT NULL DEFAULT 'POST';
