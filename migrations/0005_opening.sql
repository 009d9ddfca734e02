CREATE TYPE "public"."lot_status" AS ENUM('open', 'failed');--> statement-breakpoint
CREATE TABLE "objections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"text" text NOT NULL,
	"raised_at" timestamp (3) with time zone NOT NULL,
	"answer" text,
	"answered_at" timestamp (3) with time zone,
	"answered_by" uuid
);
--> statement-breakpoint
CREATE TABLE "opening_attendance" (
	"recruitment_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"attended_at" timestamp (3) with time zone NOT NULL,
	"ip" text,
	CONSTRAINT "opening_attendance_recruitment_id_user_id_pk" PRIMARY KEY("recruitment_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "opening_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"organization_id" uuid NOT NULL,
	"organization_name" text NOT NULL,
	"lot_key" text NOT NULL,
	"submitted_at" timestamp (3) with time zone NOT NULL,
	"digest" text NOT NULL,
	"recomputed_digest" text,
	"digest_verified" boolean NOT NULL,
	"public_benefit_ratio" numeric(5, 2),
	"opened_data_key" text
);
--> statement-breakpoint
CREATE TABLE "opening_unlocks" (
	"recruitment_id" uuid NOT NULL,
	"holder_id" uuid NOT NULL,
	"unlocked_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "opening_unlocks_recruitment_id_holder_id_pk" PRIMARY KEY("recruitment_id","holder_id")
);
--> statement-breakpoint
CREATE TABLE "openings" (
	"recruitment_id" uuid PRIMARY KEY NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"started_by" uuid NOT NULL,
	"opened_at" timestamp (3) with time zone,
	"signed_off_at" timestamp (3) with time zone,
	"signed_off_by" uuid,
	"sign_off_comment" text,
	"sign_off_chain_head" text,
	"sign_off_chain_ok" boolean
);
--> statement-breakpoint
ALTER TABLE "lots" ADD COLUMN "status" "lot_status" DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_attendance" ADD CONSTRAINT "opening_attendance_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_attendance" ADD CONSTRAINT "opening_attendance_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_records" ADD CONSTRAINT "opening_records_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_records" ADD CONSTRAINT "opening_records_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_records" ADD CONSTRAINT "opening_records_version_id_bid_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."bid_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_records" ADD CONSTRAINT "opening_records_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_unlocks" ADD CONSTRAINT "opening_unlocks_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_unlocks" ADD CONSTRAINT "opening_unlocks_holder_id_users_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "openings" ADD CONSTRAINT "openings_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "openings" ADD CONSTRAINT "openings_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "openings" ADD CONSTRAINT "openings_signed_off_by_users_id_fk" FOREIGN KEY ("signed_off_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "objections_recruitment_id_idx" ON "objections" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "objections_organization_id_idx" ON "objections" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "objections_answered_by_idx" ON "objections" USING btree ("answered_by");--> statement-breakpoint
CREATE INDEX "opening_attendance_user_id_idx" ON "opening_attendance" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "opening_records_recruitment_bid" ON "opening_records" USING btree ("recruitment_id","bid_id");--> statement-breakpoint
CREATE INDEX "opening_records_bid_id_idx" ON "opening_records" USING btree ("bid_id");--> statement-breakpoint
CREATE INDEX "opening_records_version_id_idx" ON "opening_records" USING btree ("version_id");--> statement-breakpoint
CREATE INDEX "opening_records_organization_id_idx" ON "opening_records" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "opening_unlocks_holder_id_idx" ON "opening_unlocks" USING btree ("holder_id");--> statement-breakpoint
CREATE INDEX "openings_started_by_idx" ON "openings" USING btree ("started_by");--> statement-breakpoint
CREATE INDEX "openings_signed_off_by_idx" ON "openings" USING btree ("signed_off_by");