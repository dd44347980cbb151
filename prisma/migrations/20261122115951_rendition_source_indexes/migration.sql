-- CreateIndex
CREATE INDEX "AssetFile_spaceId_sha256_idx" ON "AssetFile"("spaceId", "sha256");

-- CreateIndex
CREATE INDEX "FileVersion_sha256_idx" ON "FileVersion"("sha256");

-- CreateIndex
CREATE INDEX "PublishedAssetFile_spaceId_sha256_idx" ON "PublishedAssetFile"("spaceId", "sha256");
