CREATE TABLE "opening_files" (
	"file_id" uuid PRIMARY KEY NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL
);
--> statement-breakpoint
DROP INDEX "bid_files_sha256_idx";--> statement-breakpoint
ALTER TABLE "bid_versions" ADD COLUMN "sealed_manifest" jsonb;--> statement-breakpoint
ALTER TABLE "opening_files" ADD CONSTRAINT "opening_files_file_id_bid_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."bid_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_files" ADD CONSTRAINT "opening_files_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_files" ADD CONSTRAINT "opening_files_version_id_bid_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."bid_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "opening_files_recruitment_id_idx" ON "opening_files" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "opening_files_version_id_idx" ON "opening_files" USING btree ("version_id");--> statement-breakpoint
CREATE INDEX "opening_files_sha256_idx" ON "opening_files" USING btree ("sha256");--> statement-breakpoint
-- Bids already opened keep their files' names, sizes and hashes as the opening record knew them.
INSERT INTO "opening_files" ("file_id", "recruitment_id", "version_id", "position", "name", "size", "sha256")
SELECT f."id", r."recruitment_id", f."version_id", f."position", f."name", f."size", f."sha256"
FROM "bid_files" f JOIN "opening_records" r ON r."version_id" = f."version_id";--> statement-breakpoint
-- A bid not opened yet cannot be moved into a sealed manifest here: that needs its data key, which
-- only the key holders' passphrases open. Refuse rather than drop what its opening will need.
-- Versions never to be opened (superseded, withdrawn, of an opened or cancelled recruitment) just
-- lose their clear names.
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM "bid_files" f
    JOIN "bid_versions" v ON v."id" = f."version_id"
    JOIN "bids" b ON b."id" = v."bid_id"
    JOIN "recruitments" rc ON rc."id" = b."recruitment_id"
    LEFT JOIN "openings" o ON o."recruitment_id" = b."recruitment_id"
    WHERE o."opened_at" IS NULL AND rc."status" <> 'cancelled'
  ) THEN
    RAISE EXCEPTION 'bids received before sealed manifests existed are not opened yet: open them (or cancel their recruitment) with the previous version first';
  END IF;
END $$;--> statement-breakpoint
ALTER TABLE "bid_files" DROP COLUMN "name";--> statement-breakpoint
ALTER TABLE "bid_files" DROP COLUMN "size";--> statement-breakpoint
ALTER TABLE "bid_files" DROP COLUMN "sha256";