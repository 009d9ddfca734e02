ALTER TABLE "panel_members" ADD COLUMN "from_round" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "panel_members" ADD COLUMN "until_round" integer;