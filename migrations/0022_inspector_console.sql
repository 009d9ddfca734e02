CREATE TABLE "alert_watch" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"reviewed_seq" bigint NOT NULL,
	CONSTRAINT "alert_watch_one_row" CHECK ("alert_watch"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "digests_sent" (
	"user_id" uuid NOT NULL,
	"day" text NOT NULL,
	"sent_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "digests_sent_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "finding_key" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "decided_by" uuid;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "decided_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "supervises_all" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "daily_digest" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "digests_sent" ADD CONSTRAINT "digests_sent_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_decided_by_idx" ON "alerts" USING btree ("decided_by");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_one_per_finding" ON "alerts" USING btree ("indicator","recruitment_id","finding_key");