CREATE TYPE "public"."bid_status" AS ENUM('submitted', 'withdrawn');--> statement-breakpoint
CREATE TABLE "bid_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"version_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"iv" text NOT NULL,
	"tag" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bid_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"bid_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"sealed_data_key" jsonb NOT NULL,
	"sealed_fields" jsonb NOT NULL,
	"digest" text NOT NULL,
	"uploader_id" uuid NOT NULL,
	"ip" text NOT NULL,
	"session_id" uuid,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "bids" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"lot_key" text NOT NULL,
	"status" "bid_status" NOT NULL,
	"current_version" integer NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bid_files" ADD CONSTRAINT "bid_files_version_id_bid_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."bid_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_versions" ADD CONSTRAINT "bid_versions_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_versions" ADD CONSTRAINT "bid_versions_uploader_id_users_id_fk" FOREIGN KEY ("uploader_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bid_files_version_position" ON "bid_files" USING btree ("version_id","position");--> statement-breakpoint
CREATE INDEX "bid_files_sha256_idx" ON "bid_files" USING btree ("sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "bid_versions_bid_version" ON "bid_versions" USING btree ("bid_id","version");--> statement-breakpoint
CREATE INDEX "bid_versions_uploader_id_idx" ON "bid_versions" USING btree ("uploader_id");--> statement-breakpoint
CREATE INDEX "bid_versions_ip_idx" ON "bid_versions" USING btree ("ip");--> statement-breakpoint
CREATE UNIQUE INDEX "bids_one_per_organization_and_lot" ON "bids" USING btree ("recruitment_id","organization_id","lot_key");--> statement-breakpoint
CREATE INDEX "bids_organization_id_idx" ON "bids" USING btree ("organization_id");