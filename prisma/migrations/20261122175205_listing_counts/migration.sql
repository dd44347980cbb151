-- CreateTable
CREATE TABLE "AssetCount" (
    "spaceId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "shard" SMALLINT NOT NULL,
    "assets" BIGINT NOT NULL DEFAULT 0,
    "published" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "AssetCount_pkey" PRIMARY KEY ("spaceId","environmentId","shard")
);

-- CreateTable
CREATE TABLE "FolderCount" (
    "spaceId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "files" BIGINT NOT NULL DEFAULT 0,
    "folders" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "FolderCount_pkey" PRIMARY KEY ("spaceId","path")
);

-- AddForeignKey
ALTER TABLE "AssetCount" ADD CONSTRAINT "AssetCount_spaceId_environmentId_fkey" FOREIGN KEY ("spaceId", "environmentId") REFERENCES "Environment"("spaceId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FolderCount" ADD CONSTRAINT "FolderCount_spaceId_fkey" FOREIGN KEY ("spaceId") REFERENCES "Space"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The counts are kept by triggers, in the transaction of each row change, so they are exact whatever writes the rows
-- (the api, the worker, a cascade, SQL by hand). Inserts and deletes are counted per statement (a ZIP expansion's or a
-- deleted space's rows in one step); updates only when they move a row between counts (publish state, folder).

-- Adds to this session's shard of an environment's asset counts. A decrement for an environment that is gone (its
-- deletion is cascading to its assets in this very statement) is dropped: its counts go with it.
CREATE FUNCTION "hangar_add_asset_count"(space_id TEXT, environment_id TEXT, asset_delta BIGINT, published_delta BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF asset_delta = 0 AND published_delta = 0 THEN
    RETURN;
  END IF;
  IF (asset_delta < 0 OR published_delta < 0)
     AND NOT EXISTS (SELECT 1 FROM "Environment" WHERE "spaceId" = space_id AND "id" = environment_id) THEN
    RETURN;
  END IF;
  INSERT INTO "AssetCount" AS c ("spaceId", "environmentId", "shard", "assets", "published")
  VALUES (space_id, environment_id, pg_backend_pid() % 8, asset_delta, published_delta)
  ON CONFLICT ("spaceId", "environmentId", "shard")
  DO UPDATE SET "assets" = c."assets" + EXCLUDED."assets", "published" = c."published" + EXCLUDED."published";
END $$;

CREATE FUNCTION "hangar_count_inserted_assets"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_asset_count"("spaceId", "environmentId", count(*), count("publishedVersion"))
  FROM inserted GROUP BY "spaceId", "environmentId";
  RETURN NULL;
END $$;

CREATE FUNCTION "hangar_count_deleted_assets"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_asset_count"("spaceId", "environmentId", -count(*), -count("publishedVersion"))
  FROM deleted GROUP BY "spaceId", "environmentId";
  RETURN NULL;
END $$;

CREATE FUNCTION "hangar_count_updated_asset"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_asset_count"(OLD."spaceId", OLD."environmentId", -1, CASE WHEN OLD."publishedVersion" IS NULL THEN 0 ELSE -1 END);
  PERFORM "hangar_add_asset_count"(NEW."spaceId", NEW."environmentId", 1, CASE WHEN NEW."publishedVersion" IS NULL THEN 0 ELSE 1 END);
  RETURN NULL;
END $$;

-- Adds to a folder's counts ('' is the space's root). A decrement for a space that is gone is dropped, as above; a
-- folder's counts left at zero are removed (the folder row itself may be gone: nothing keeps its path).
CREATE FUNCTION "hangar_add_folder_count"(space_id TEXT, folder_path TEXT, file_delta BIGINT, folder_delta BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF file_delta = 0 AND folder_delta = 0 THEN
    RETURN;
  END IF;
  IF (file_delta < 0 OR folder_delta < 0) THEN
    IF NOT EXISTS (SELECT 1 FROM "Space" WHERE "id" = space_id) THEN
      RETURN;
    END IF;
    UPDATE "FolderCount" SET "files" = "files" + file_delta, "folders" = "folders" + folder_delta
    WHERE "spaceId" = space_id AND "path" = folder_path;
    DELETE FROM "FolderCount" WHERE "spaceId" = space_id AND "path" = folder_path AND "files" = 0 AND "folders" = 0;
    RETURN;
  END IF;
  INSERT INTO "FolderCount" AS c ("spaceId", "path", "files", "folders")
  VALUES (space_id, folder_path, file_delta, folder_delta)
  ON CONFLICT ("spaceId", "path")
  DO UPDATE SET "files" = c."files" + EXCLUDED."files", "folders" = c."folders" + EXCLUDED."folders";
END $$;

CREATE FUNCTION "hangar_count_inserted_files"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_folder_count"("spaceId", "folder", count(*), 0) FROM inserted GROUP BY "spaceId", "folder";
  RETURN NULL;
END $$;

CREATE FUNCTION "hangar_count_deleted_files"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_folder_count"("spaceId", "folder", -count(*), 0) FROM deleted GROUP BY "spaceId", "folder";
  RETURN NULL;
END $$;

CREATE FUNCTION "hangar_count_moved_file"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_folder_count"(OLD."spaceId", OLD."folder", -1, 0);
  PERFORM "hangar_add_folder_count"(NEW."spaceId", NEW."folder", 1, 0);
  RETURN NULL;
END $$;

CREATE FUNCTION "hangar_count_inserted_folders"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_folder_count"("spaceId", "parent", 0, count(*)) FROM inserted GROUP BY "spaceId", "parent";
  RETURN NULL;
END $$;

CREATE FUNCTION "hangar_count_deleted_folders"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_folder_count"("spaceId", "parent", 0, -count(*)) FROM deleted GROUP BY "spaceId", "parent";
  RETURN NULL;
END $$;

CREATE FUNCTION "hangar_count_moved_folder"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "hangar_add_folder_count"(OLD."spaceId", OLD."parent", 0, -1);
  PERFORM "hangar_add_folder_count"(NEW."spaceId", NEW."parent", 0, 1);
  RETURN NULL;
END $$;

-- No row changes while the counts are taken and the triggers put in place (this file runs as one transaction).
LOCK TABLE "Asset", "File", "FileFolder" IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO "AssetCount" ("spaceId", "environmentId", "shard", "assets", "published")
SELECT "spaceId", "environmentId", 0, count(*), count("publishedVersion") FROM "Asset" GROUP BY "spaceId", "environmentId";

INSERT INTO "FolderCount" ("spaceId", "path", "files", "folders")
SELECT "spaceId", "path", sum("files"), sum("folders")
FROM (
  SELECT "spaceId", "folder" AS "path", count(*) AS "files", 0 AS "folders" FROM "File" GROUP BY "spaceId", "folder"
  UNION ALL
  SELECT "spaceId", "parent", 0, count(*) FROM "FileFolder" GROUP BY "spaceId", "parent"
) AS counted
GROUP BY "spaceId", "path";

CREATE TRIGGER "Asset_count_insert" AFTER INSERT ON "Asset"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "hangar_count_inserted_assets"();
CREATE TRIGGER "Asset_count_delete" AFTER DELETE ON "Asset"
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION "hangar_count_deleted_assets"();
CREATE TRIGGER "Asset_count_update" AFTER UPDATE ON "Asset" FOR EACH ROW
  WHEN ((OLD."publishedVersion" IS NULL) IS DISTINCT FROM (NEW."publishedVersion" IS NULL)
        OR OLD."spaceId" IS DISTINCT FROM NEW."spaceId" OR OLD."environmentId" IS DISTINCT FROM NEW."environmentId")
  EXECUTE FUNCTION "hangar_count_updated_asset"();

CREATE TRIGGER "File_count_insert" AFTER INSERT ON "File"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "hangar_count_inserted_files"();
CREATE TRIGGER "File_count_delete" AFTER DELETE ON "File"
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION "hangar_count_deleted_files"();
CREATE TRIGGER "File_count_move" AFTER UPDATE ON "File" FOR EACH ROW
  WHEN (OLD."folder" IS DISTINCT FROM NEW."folder" OR OLD."spaceId" IS DISTINCT FROM NEW."spaceId")
  EXECUTE FUNCTION "hangar_count_moved_file"();

CREATE TRIGGER "FileFolder_count_insert" AFTER INSERT ON "FileFolder"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "hangar_count_inserted_folders"();
CREATE TRIGGER "FileFolder_count_delete" AFTER DELETE ON "FileFolder"
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION "hangar_count_deleted_folders"();
CREATE TRIGGER "FileFolder_count_move" AFTER UPDATE ON "FileFolder" FOR EACH ROW
  WHEN (OLD."parent" IS DISTINCT FROM NEW."parent" OR OLD."spaceId" IS DISTINCT FROM NEW."spaceId")
  EXECUTE FUNCTION "hangar_count_moved_folder"();
