CREATE TYPE "public"."panel_member_status" AS ENUM('pending', 'serving', 'recused');--> statement-breakpoint
CREATE TABLE "evaluation_sign_offs" (
	"recruitment_id" uuid PRIMARY KEY NOT NULL,
	"signed_off_at" timestamp (3) with time zone NOT NULL,
	"signed_off_by" uuid NOT NULL,
	"comment" text NOT NULL,
	"chain_head" text NOT NULL,
	"chain_ok" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "panel_draws" (
	"recruitment_id" uuid PRIMARY KEY NOT NULL,
	"seed" text NOT NULL,
	"candidates" jsonb NOT NULL,
	"specialties" text[] NOT NULL,
	"size" integer NOT NULL,
	"drawn_at" timestamp (3) with time zone NOT NULL,
	"drawn_by" uuid NOT NULL,
	CONSTRAINT "panel_draws_size" CHECK ("panel_draws"."size" >= 5 and "panel_draws"."size" % 2 = 1)
);
--> statement-breakpoint
CREATE TABLE "panel_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"seat" integer NOT NULL,
	"status" "panel_member_status" DEFAULT 'pending' NOT NULL,
	"declared_at" timestamp (3) with time zone,
	"declaration_note" text,
	"submitted_at" timestamp (3) with time zone,
	"confirmed_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "qualification_results" (
	"bid_id" uuid PRIMARY KEY NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"results" jsonb NOT NULL,
	"qualified" boolean NOT NULL,
	"reason" text NOT NULL,
	"reviewed_by" uuid NOT NULL,
	"reviewed_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "score_sheets" (
	"recruitment_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"comment" text NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "score_sheets_expert_id_bid_id_pk" PRIMARY KEY("expert_id","bid_id")
);
--> statement-breakpoint
CREATE TABLE "scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"criterion_key" text NOT NULL,
	"score" numeric(4, 1) NOT NULL,
	CONSTRAINT "scores_half_points" CHECK ("scores"."score" >= 0 and "scores"."score" * 2 = floor("scores"."score" * 2))
);
--> statement-breakpoint
ALTER TABLE "evaluation_sign_offs" ADD CONSTRAINT "evaluation_sign_offs_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_sign_offs" ADD CONSTRAINT "evaluation_sign_offs_signed_off_by_users_id_fk" FOREIGN KEY ("signed_off_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_draws" ADD CONSTRAINT "panel_draws_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_draws" ADD CONSTRAINT "panel_draws_drawn_by_users_id_fk" FOREIGN KEY ("drawn_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_members" ADD CONSTRAINT "panel_members_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_members" ADD CONSTRAINT "panel_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_results" ADD CONSTRAINT "qualification_results_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_results" ADD CONSTRAINT "qualification_results_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_results" ADD CONSTRAINT "qualification_results_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_sheets" ADD CONSTRAINT "score_sheets_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_sheets" ADD CONSTRAINT "score_sheets_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_sheets" ADD CONSTRAINT "score_sheets_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scores" ADD CONSTRAINT "scores_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scores" ADD CONSTRAINT "scores_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scores" ADD CONSTRAINT "scores_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_sign_offs_signed_off_by_idx" ON "evaluation_sign_offs" USING btree ("signed_off_by");--> statement-breakpoint
CREATE INDEX "panel_draws_drawn_by_idx" ON "panel_draws" USING btree ("drawn_by");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_members_recruitment_user" ON "panel_members" USING btree ("recruitment_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_members_recruitment_position" ON "panel_members" USING btree ("recruitment_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_members_one_per_seat" ON "panel_members" USING btree ("recruitment_id","seat") WHERE "panel_members"."status" <> 'recused';--> statement-breakpoint
CREATE INDEX "panel_members_user_id_idx" ON "panel_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "qualification_results_recruitment_id_idx" ON "qualification_results" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "qualification_results_reviewed_by_idx" ON "qualification_results" USING btree ("reviewed_by");--> statement-breakpoint
CREATE INDEX "score_sheets_bid_id_idx" ON "score_sheets" USING btree ("bid_id");--> statement-breakpoint
CREATE INDEX "score_sheets_recruitment_id_idx" ON "score_sheets" USING btree ("recruitment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scores_one_per_expert_bid_criterion" ON "scores" USING btree ("expert_id","bid_id","criterion_key");--> statement-breakpoint
CREATE INDEX "scores_bid_id_idx" ON "scores" USING btree ("bid_id");--> statement-breakpoint
CREATE INDEX "scores_recruitment_id_idx" ON "scores" USING btree ("recruitment_id");