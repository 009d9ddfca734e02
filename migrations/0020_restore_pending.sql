CREATE TABLE "restore_pending" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"source" text NOT NULL,
	"taken_at" timestamp (3) with time zone NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "restore_pending_one_row" CHECK ("restore_pending"."id" = 1)
);

--> statement-breakpoint
-- the server's role reads the marker to refuse to start; only the owner (the restore) clears it
REVOKE INSERT, UPDATE, DELETE ON "restore_pending" FROM portal_app;
