CREATE TYPE "public"."change_request_answer" AS ENUM('revised', 'refused');--> statement-breakpoint
CREATE TYPE "public"."partnership_status" AS ENUM('awarded', 'signed', 'active', 'rectifying', 'ended', 'terminated', 'lapsed');--> statement-breakpoint
ALTER TYPE "public"."document_kind" ADD VALUE 'agreement';--> statement-breakpoint
CREATE TABLE "agreement_change_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partnership_id" uuid NOT NULL,
	"version_number" integer NOT NULL,
	"text" text NOT NULL,
	"requested_at" timestamp (3) with time zone NOT NULL,
	"requested_by" uuid NOT NULL,
	"answer" "change_request_answer",
	"answer_text" text,
	"answered_at" timestamp (3) with time zone,
	"answered_by" uuid,
	CONSTRAINT "agreement_change_requests_answered" CHECK (("agreement_change_requests"."answer" is null) = ("agreement_change_requests"."answered_at" is null))
);
--> statement-breakpoint
CREATE TABLE "agreement_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partnership_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"revision" text,
	"term_months" integer NOT NULL,
	"document_id" uuid,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"issued_by" uuid
);
--> statement-breakpoint
CREATE TABLE "partnerships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"award_id" uuid NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"lot_key" text NOT NULL,
	"status" "partnership_status" DEFAULT 'awarded' NOT NULL,
	"sign_by" timestamp (3) with time zone NOT NULL,
	"term_months" integer NOT NULL,
	"accepted_version" integer,
	"accepted_at" timestamp (3) with time zone,
	"signed_at" timestamp (3) with time zone,
	"ends_at" timestamp (3) with time zone,
	"lapsed_at" timestamp (3) with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partnerships_term" CHECK ("partnerships"."term_months" between 1 and 60),
	CONSTRAINT "partnerships_signed" CHECK (("partnerships"."signed_at" is null) = ("partnerships"."ends_at" is null))
);
--> statement-breakpoint
ALTER TABLE "agreement_change_requests" ADD CONSTRAINT "agreement_change_requests_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_change_requests" ADD CONSTRAINT "agreement_change_requests_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_change_requests" ADD CONSTRAINT "agreement_change_requests_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_versions" ADD CONSTRAINT "agreement_versions_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_versions" ADD CONSTRAINT "agreement_versions_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_versions" ADD CONSTRAINT "agreement_versions_issued_by_users_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_award_id_awards_id_fk" FOREIGN KEY ("award_id") REFERENCES "public"."awards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agreement_change_requests_partnership_id_idx" ON "agreement_change_requests" USING btree ("partnership_id");--> statement-breakpoint
CREATE INDEX "agreement_change_requests_requested_by_idx" ON "agreement_change_requests" USING btree ("requested_by");--> statement-breakpoint
CREATE INDEX "agreement_change_requests_answered_by_idx" ON "agreement_change_requests" USING btree ("answered_by");--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_change_requests_one_open" ON "agreement_change_requests" USING btree ("partnership_id") WHERE "agreement_change_requests"."answered_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_versions_number_key" ON "agreement_versions" USING btree ("partnership_id","number");--> statement-breakpoint
CREATE INDEX "agreement_versions_document_id_idx" ON "agreement_versions" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "agreement_versions_issued_by_idx" ON "agreement_versions" USING btree ("issued_by");--> statement-breakpoint
CREATE UNIQUE INDEX "partnerships_award_key" ON "partnerships" USING btree ("award_id");--> statement-breakpoint
CREATE INDEX "partnerships_recruitment_id_idx" ON "partnerships" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "partnerships_organization_id_idx" ON "partnerships" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "partnerships_bid_id_idx" ON "partnerships" USING btree ("bid_id");