CREATE TYPE "public"."key_holder_role" AS ENUM('agent', 'inspector', 'escrow');--> statement-breakpoint
CREATE TABLE "bid_key_shares" (
	"recruitment_id" uuid NOT NULL,
	"holder_id" uuid NOT NULL,
	"holder_role" "key_holder_role" NOT NULL,
	"sealed_share" jsonb NOT NULL,
	CONSTRAINT "bid_key_shares_recruitment_id_holder_id_pk" PRIMARY KEY("recruitment_id","holder_id")
);
--> statement-breakpoint
CREATE TABLE "opening_keys" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"holder_key" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "recruitments" ADD COLUMN "bid_public_key" text;--> statement-breakpoint
ALTER TABLE "bid_key_shares" ADD CONSTRAINT "bid_key_shares_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_key_shares" ADD CONSTRAINT "bid_key_shares_holder_id_users_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_keys" ADD CONSTRAINT "opening_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bid_key_shares_holder_id_idx" ON "bid_key_shares" USING btree ("holder_id");