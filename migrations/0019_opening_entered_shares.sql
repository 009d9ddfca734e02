CREATE TABLE "opening_entered_shares" (
	"recruitment_id" uuid NOT NULL,
	"holder_id" uuid NOT NULL,
	"sealed_share" jsonb NOT NULL,
	"entered_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "opening_entered_shares_recruitment_id_holder_id_pk" PRIMARY KEY("recruitment_id","holder_id")
);
--> statement-breakpoint
ALTER TABLE "opening_entered_shares" ADD CONSTRAINT "opening_entered_shares_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_entered_shares" ADD CONSTRAINT "opening_entered_shares_holder_id_users_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "opening_entered_shares_holder_id_idx" ON "opening_entered_shares" USING btree ("holder_id");