CREATE TYPE "public"."alert_severity" AS ENUM('high', 'medium', 'low');--> statement-breakpoint
CREATE TYPE "public"."alert_status" AS ENUM('open', 'dismissed', 'escalated');--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"indicator" text NOT NULL,
	"severity" "alert_severity" NOT NULL,
	"recruitment_id" uuid,
	"subject" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"raised_at" timestamp (3) with time zone NOT NULL,
	"status" "alert_status" DEFAULT 'open' NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "escrow_designation" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"holder_id" uuid NOT NULL,
	"designated_by" uuid NOT NULL,
	"designated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "escrow_designation_singleton" CHECK ("escrow_designation"."singleton")
);
--> statement-breakpoint
ALTER TABLE "openings" ADD COLUMN "escrow_reason" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escrow_designation" ADD CONSTRAINT "escrow_designation_holder_id_users_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escrow_designation" ADD CONSTRAINT "escrow_designation_designated_by_users_id_fk" FOREIGN KEY ("designated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_recruitment_id_idx" ON "alerts" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "alerts_raised_at_idx" ON "alerts" USING btree ("raised_at");--> statement-breakpoint
CREATE INDEX "escrow_designation_holder_id_idx" ON "escrow_designation" USING btree ("holder_id");--> statement-breakpoint
CREATE INDEX "escrow_designation_designated_by_idx" ON "escrow_designation" USING btree ("designated_by");