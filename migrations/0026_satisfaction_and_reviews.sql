CREATE TYPE "public"."place_kind" AS ENUM('free', 'discounted', 'regular');--> statement-breakpoint
CREATE TYPE "public"."review_kind" AS ENUM('stage', 'rectification', 'final');--> statement-breakpoint
CREATE TYPE "public"."review_result" AS ENUM('pass', 'rectify', 'fail');--> statement-breakpoint
CREATE TYPE "public"."worker_group" AS ENUM('modelWorker', 'hardship', 'unionMember', 'allWorkers');--> statement-breakpoint
CREATE TABLE "partnership_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partnership_id" uuid NOT NULL,
	"kind" "review_kind" NOT NULL,
	"period_from" timestamp (3) with time zone NOT NULL,
	"period_to" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"follows_review_id" uuid,
	"scheduled_at" timestamp (3) with time zone NOT NULL,
	"scheduled_by" uuid NOT NULL,
	"result" "review_result",
	"completed_at" timestamp (3) with time zone,
	"completed_by" uuid,
	CONSTRAINT "partnership_reviews_period" CHECK ("partnership_reviews"."period_from" < "partnership_reviews"."period_to"),
	CONSTRAINT "partnership_reviews_completed" CHECK (("partnership_reviews"."result" is null) = ("partnership_reviews"."completed_at" is null)),
	CONSTRAINT "partnership_reviews_follows" CHECK (("partnership_reviews"."kind" = 'rectification') = ("partnership_reviews"."follows_review_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "satisfaction_ratings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"service_use_id" uuid NOT NULL,
	"partnership_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"group" "worker_group" NOT NULL,
	"comment" text,
	"rated_at" timestamp (3) with time zone NOT NULL,
	"address_key" text NOT NULL,
	"device_key" text NOT NULL,
	CONSTRAINT "satisfaction_ratings_score" CHECK ("satisfaction_ratings"."score" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "service_uses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partnership_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"group" "worker_group" NOT NULL,
	"place" "place_kind" NOT NULL,
	"code_hash" text NOT NULL,
	"used_at" timestamp (3) with time zone NOT NULL,
	"issued_by" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_scheduled_by_users_id_fk" FOREIGN KEY ("scheduled_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_completed_by_users_id_fk" FOREIGN KEY ("completed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "satisfaction_ratings" ADD CONSTRAINT "satisfaction_ratings_service_use_id_service_uses_id_fk" FOREIGN KEY ("service_use_id") REFERENCES "public"."service_uses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "satisfaction_ratings" ADD CONSTRAINT "satisfaction_ratings_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_uses" ADD CONSTRAINT "service_uses_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_uses" ADD CONSTRAINT "service_uses_offer_id_partner_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."partner_offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_uses" ADD CONSTRAINT "service_uses_issued_by_users_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partnership_reviews_partnership_id_idx" ON "partnership_reviews" USING btree ("partnership_id","due_at");--> statement-breakpoint
CREATE INDEX "partnership_reviews_follows_review_id_idx" ON "partnership_reviews" USING btree ("follows_review_id");--> statement-breakpoint
CREATE INDEX "partnership_reviews_scheduled_by_idx" ON "partnership_reviews" USING btree ("scheduled_by");--> statement-breakpoint
CREATE INDEX "partnership_reviews_completed_by_idx" ON "partnership_reviews" USING btree ("completed_by");--> statement-breakpoint
CREATE UNIQUE INDEX "satisfaction_ratings_service_use_key" ON "satisfaction_ratings" USING btree ("service_use_id");--> statement-breakpoint
CREATE INDEX "satisfaction_ratings_partnership_id_idx" ON "satisfaction_ratings" USING btree ("partnership_id","rated_at");--> statement-breakpoint
CREATE INDEX "satisfaction_ratings_address_key_idx" ON "satisfaction_ratings" USING btree ("address_key","rated_at");--> statement-breakpoint
CREATE INDEX "satisfaction_ratings_device_key_idx" ON "satisfaction_ratings" USING btree ("device_key","rated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "service_uses_code_hash_key" ON "service_uses" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "service_uses_partnership_id_idx" ON "service_uses" USING btree ("partnership_id","used_at");--> statement-breakpoint
CREATE INDEX "service_uses_offer_id_idx" ON "service_uses" USING btree ("offer_id");--> statement-breakpoint
CREATE INDEX "service_uses_issued_by_idx" ON "service_uses" USING btree ("issued_by");