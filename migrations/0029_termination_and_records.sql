CREATE TYPE "public"."organization_record_kind" AS ENUM('terminated');--> statement-breakpoint
ALTER TYPE "public"."document_kind" ADD VALUE 'termination_notice';--> statement-breakpoint
CREATE TABLE "organization_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" "organization_record_kind" NOT NULL,
	"partnership_id" uuid NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"summary" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"recorded_by" uuid NOT NULL,
	"document_id" uuid
);
--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "terminated_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "organization_records" ADD CONSTRAINT "organization_records_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_records" ADD CONSTRAINT "organization_records_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_records" ADD CONSTRAINT "organization_records_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_records" ADD CONSTRAINT "organization_records_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_records" ADD CONSTRAINT "organization_records_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "organization_records_organization_id_idx" ON "organization_records" USING btree ("organization_id","recorded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "organization_records_partnership_kind_key" ON "organization_records" USING btree ("partnership_id","kind");--> statement-breakpoint
CREATE INDEX "organization_records_recruitment_id_idx" ON "organization_records" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "organization_records_recorded_by_idx" ON "organization_records" USING btree ("recorded_by");--> statement-breakpoint
CREATE INDEX "organization_records_document_id_idx" ON "organization_records" USING btree ("document_id");--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_terminated" CHECK (("partnerships"."status" = 'terminated') = ("partnerships"."terminated_at" is not null));