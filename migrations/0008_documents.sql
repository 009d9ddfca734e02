CREATE TYPE "public"."document_kind" AS ENUM('award_notice', 'rejection_notice', 'draft_agreement', 'opening_record', 'evaluation_report');--> statement-breakpoint
CREATE TYPE "public"."document_status" AS ENUM('issued', 'mailed');--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"kind" "document_kind" NOT NULL,
	"subject" text NOT NULL,
	"bid_id" uuid,
	"organization_id" uuid,
	"verify_code" text NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"title" text NOT NULL,
	"template_version" text NOT NULL,
	"template_sha256" text NOT NULL,
	"storage_name" text NOT NULL,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"status" "document_status" DEFAULT 'issued' NOT NULL,
	"mailed_at" timestamp (3) with time zone,
	CONSTRAINT "documents_mailed" CHECK (("documents"."status" = 'mailed') = ("documents"."mailed_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_verify_code_key" ON "documents" USING btree ("verify_code");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_one_per_kind_and_subject" ON "documents" USING btree ("recruitment_id","kind","subject");--> statement-breakpoint
CREATE INDEX "documents_bid_id_idx" ON "documents" USING btree ("bid_id");--> statement-breakpoint
CREATE INDEX "documents_organization_id_idx" ON "documents" USING btree ("organization_id");