CREATE TABLE "panel_supplementary_draws" (
	"recruitment_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"seed" text NOT NULL,
	"candidates" jsonb NOT NULL,
	"reason" text NOT NULL,
	"drawn_at" timestamp (3) with time zone NOT NULL,
	"drawn_by" uuid NOT NULL,
	CONSTRAINT "panel_supplementary_draws_recruitment_id_number_pk" PRIMARY KEY("recruitment_id","number"),
	CONSTRAINT "panel_supplementary_draws_number" CHECK ("panel_supplementary_draws"."number" >= 1)
);
--> statement-breakpoint
ALTER TABLE "panel_supplementary_draws" ADD CONSTRAINT "panel_supplementary_draws_recruitment_id_panel_draws_recruitment_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."panel_draws"("recruitment_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_supplementary_draws" ADD CONSTRAINT "panel_supplementary_draws_drawn_by_users_id_fk" FOREIGN KEY ("drawn_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "panel_supplementary_draws_drawn_by_idx" ON "panel_supplementary_draws" USING btree ("drawn_by");