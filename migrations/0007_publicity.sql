ALTER TYPE "public"."announcement_kind" ADD VALUE 'candidates';--> statement-breakpoint
ALTER TYPE "public"."announcement_kind" ADD VALUE 'award';--> statement-breakpoint
CREATE TABLE "award_sign_offs" (
	"recruitment_id" uuid PRIMARY KEY NOT NULL,
	"signed_off_at" timestamp (3) with time zone NOT NULL,
	"signed_off_by" uuid NOT NULL,
	"comment" text NOT NULL,
	"chain_head" text NOT NULL,
	"chain_ok" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "awards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"lot_key" text NOT NULL,
	"bid_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"rank" integer NOT NULL,
	"score" numeric(6, 2) NOT NULL,
	"awarded_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "candidates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"lot_key" text NOT NULL,
	"bid_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"organization_name" text NOT NULL,
	"score" numeric(6, 2) NOT NULL,
	"rank" integer NOT NULL,
	"public_benefit_ratio" numeric(5, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "challenges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"raised_by" uuid NOT NULL,
	"text" text NOT NULL,
	"raised_at" timestamp (3) with time zone NOT NULL,
	"answer" text,
	"upheld" boolean,
	"answered_at" timestamp (3) with time zone,
	"answered_by" uuid,
	CONSTRAINT "challenges_answered_together" CHECK (("challenges"."answer" is null) = ("challenges"."upheld" is null) and ("challenges"."answer" is null) = ("challenges"."answered_at" is null))
);
--> statement-breakpoint
CREATE TABLE "publicities" (
	"recruitment_id" uuid PRIMARY KEY NOT NULL,
	"announced_at" timestamp (3) with time zone NOT NULL,
	"announced_by" uuid NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "publicities_ends_after_start" CHECK ("publicities"."ends_at" > "publicities"."announced_at")
);
--> statement-breakpoint
ALTER TABLE "award_sign_offs" ADD CONSTRAINT "award_sign_offs_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "award_sign_offs" ADD CONSTRAINT "award_sign_offs_signed_off_by_users_id_fk" FOREIGN KEY ("signed_off_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "challenges" ADD CONSTRAINT "challenges_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "challenges" ADD CONSTRAINT "challenges_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "challenges" ADD CONSTRAINT "challenges_raised_by_users_id_fk" FOREIGN KEY ("raised_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "challenges" ADD CONSTRAINT "challenges_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicities" ADD CONSTRAINT "publicities_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicities" ADD CONSTRAINT "publicities_announced_by_users_id_fk" FOREIGN KEY ("announced_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "award_sign_offs_signed_off_by_idx" ON "award_sign_offs" USING btree ("signed_off_by");--> statement-breakpoint
CREATE UNIQUE INDEX "awards_recruitment_bid" ON "awards" USING btree ("recruitment_id","bid_id");--> statement-breakpoint
CREATE INDEX "awards_bid_id_idx" ON "awards" USING btree ("bid_id");--> statement-breakpoint
CREATE INDEX "awards_organization_id_idx" ON "awards" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "candidates_recruitment_bid" ON "candidates" USING btree ("recruitment_id","bid_id");--> statement-breakpoint
CREATE UNIQUE INDEX "candidates_recruitment_lot_rank" ON "candidates" USING btree ("recruitment_id","lot_key","rank");--> statement-breakpoint
CREATE INDEX "candidates_bid_id_idx" ON "candidates" USING btree ("bid_id");--> statement-breakpoint
CREATE INDEX "candidates_organization_id_idx" ON "candidates" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "challenges_recruitment_id_idx" ON "challenges" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "challenges_organization_id_idx" ON "challenges" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "challenges_raised_by_idx" ON "challenges" USING btree ("raised_by");--> statement-breakpoint
CREATE INDEX "challenges_answered_by_idx" ON "challenges" USING btree ("answered_by");--> statement-breakpoint
CREATE INDEX "publicities_announced_by_idx" ON "publicities" USING btree ("announced_by");