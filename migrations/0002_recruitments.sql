CREATE TYPE "public"."announcement_kind" AS ENUM('announcement', 'amendment', 'cancellation', 'suspension', 'resumption');--> statement-breakpoint
CREATE TYPE "public"."publication_channel" AS ENUM('trading_platform', 'union_website', 'newspaper', 'other');--> statement-breakpoint
CREATE TYPE "public"."recruitment_status" AS ENUM('draft', 'published', 'opening', 'evaluation', 'publicity', 'awarded', 'failed', 'cancelled', 'suspended');--> statement-breakpoint
CREATE TABLE "announcements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"kind" "announcement_kind" NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"published_at" timestamp (3) with time zone NOT NULL,
	"author_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "criteria" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"max_score" numeric(5, 1) NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "criteria_max_score" CHECK ("criteria"."max_score" > 0 and "criteria"."max_score" <= 100)
);
--> statement-breakpoint
CREATE TABLE "eligibility_conditions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"key" text NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follows" (
	"recruitment_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follows_recruitment_id_user_id_pk" PRIMARY KEY("recruitment_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "lots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"quota" integer NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "lots_quota" CHECK ("lots"."quota" >= 1)
);
--> statement-breakpoint
CREATE TABLE "publications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"channel" "publication_channel" NOT NULL,
	"name" text NOT NULL,
	"published_on" date NOT NULL,
	"url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruitment_id" uuid NOT NULL,
	"asker_id" uuid NOT NULL,
	"text" text NOT NULL,
	"asked_at" timestamp (3) with time zone NOT NULL,
	"answer" text,
	"answered_at" timestamp (3) with time zone,
	"answered_by" uuid
);
--> statement-breakpoint
CREATE TABLE "recruitments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agent_id" uuid NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"body" text NOT NULL,
	"owner" text NOT NULL,
	"status" "recruitment_status" DEFAULT 'draft' NOT NULL,
	"suspended_from" "recruitment_status",
	"min_public_benefit_ratio" numeric(5, 2) NOT NULL,
	"agreement_term_months" integer NOT NULL,
	"questions_deadline" timestamp (3) with time zone NOT NULL,
	"submission_deadline" timestamp (3) with time zone NOT NULL,
	"publicity_days" integer NOT NULL,
	"decision_ref" text,
	"inspector_id" uuid,
	"escrow_holder_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp (3) with time zone,
	"cancelled_at" timestamp (3) with time zone,
	"cancel_reason" text,
	"cancel_countersigned_by" uuid,
	"cancel_countersigned_at" timestamp (3) with time zone,
	"cancel_countersign_chain_head" text,
	CONSTRAINT "recruitments_agreement_term" CHECK ("recruitments"."agreement_term_months" between 1 and 60),
	CONSTRAINT "recruitments_publicity_days" CHECK ("recruitments"."publicity_days" >= 3),
	CONSTRAINT "recruitments_min_ratio" CHECK ("recruitments"."min_public_benefit_ratio" between 0 and 100),
	CONSTRAINT "recruitments_questions_before_submission" CHECK ("recruitments"."questions_deadline" <= "recruitments"."submission_deadline"),
	CONSTRAINT "recruitments_suspended_from" CHECK (("recruitments"."status" = 'suspended') = ("recruitments"."suspended_from" is not null))
);
--> statement-breakpoint
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "criteria" ADD CONSTRAINT "criteria_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_conditions" ADD CONSTRAINT "eligibility_conditions_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publications" ADD CONSTRAINT "publications_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_asker_id_users_id_fk" FOREIGN KEY ("asker_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recruitments" ADD CONSTRAINT "recruitments_agent_id_users_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recruitments" ADD CONSTRAINT "recruitments_inspector_id_users_id_fk" FOREIGN KEY ("inspector_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recruitments" ADD CONSTRAINT "recruitments_escrow_holder_id_users_id_fk" FOREIGN KEY ("escrow_holder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recruitments" ADD CONSTRAINT "recruitments_cancel_countersigned_by_users_id_fk" FOREIGN KEY ("cancel_countersigned_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "announcements_recruitment_number" ON "announcements" USING btree ("recruitment_id","number");--> statement-breakpoint
CREATE INDEX "announcements_author_id_idx" ON "announcements" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "announcements_published_at_idx" ON "announcements" USING btree ("published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "criteria_recruitment_key" ON "criteria" USING btree ("recruitment_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "eligibility_conditions_recruitment_key" ON "eligibility_conditions" USING btree ("recruitment_id","key");--> statement-breakpoint
CREATE INDEX "follows_user_id_idx" ON "follows" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lots_recruitment_key" ON "lots" USING btree ("recruitment_id","key");--> statement-breakpoint
CREATE INDEX "publications_recruitment_id_idx" ON "publications" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "questions_recruitment_id_idx" ON "questions" USING btree ("recruitment_id");--> statement-breakpoint
CREATE INDEX "questions_asker_id_idx" ON "questions" USING btree ("asker_id");--> statement-breakpoint
CREATE INDEX "questions_answered_by_idx" ON "questions" USING btree ("answered_by");--> statement-breakpoint
CREATE INDEX "recruitments_agent_id_idx" ON "recruitments" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "recruitments_inspector_id_idx" ON "recruitments" USING btree ("inspector_id");--> statement-breakpoint
CREATE INDEX "recruitments_escrow_holder_id_idx" ON "recruitments" USING btree ("escrow_holder_id");--> statement-breakpoint
CREATE INDEX "recruitments_cancel_countersigned_by_idx" ON "recruitments" USING btree ("cancel_countersigned_by");--> statement-breakpoint
CREATE INDEX "recruitments_status_idx" ON "recruitments" USING btree ("status");