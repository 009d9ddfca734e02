ALTER TYPE "public"."document_kind" ADD VALUE 'review_result';--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "criteria" jsonb;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "satisfaction" jsonb;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "places" jsonb;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "negative_list" jsonb;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "assessor_name" text;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "total_score" numeric(5, 2);--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "remarks" text;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "rectify_by" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD COLUMN "document_id" uuid;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "partnership_reviews_one_open" ON "partnership_reviews" USING btree ("partnership_id") WHERE "partnership_reviews"."completed_at" is null;--> statement-breakpoint
CREATE INDEX "partnership_reviews_document_id_idx" ON "partnership_reviews" USING btree ("document_id");--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_form" CHECK (("partnership_reviews"."total_score" is null) = ("partnership_reviews"."completed_at" is null));--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_rectify_by" CHECK (("partnership_reviews"."result" is not distinct from 'rectify') = ("partnership_reviews"."rectify_by" is not null));