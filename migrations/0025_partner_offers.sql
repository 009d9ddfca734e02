CREATE TABLE "offer_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"offer_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"service" text NOT NULL,
	"opening_hours" text NOT NULL,
	"procedure" text NOT NULL,
	"list_price" numeric(10, 2) NOT NULL,
	"model_worker_price" numeric(10, 2) NOT NULL,
	"hardship_price" numeric(10, 2) NOT NULL,
	"union_member_price" numeric(10, 2) NOT NULL,
	"all_workers_price" numeric(10, 2) NOT NULL,
	"places_per_month" integer NOT NULL,
	"free_places" integer NOT NULL,
	"discounted_places" integer NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"recorded_by" uuid NOT NULL,
	CONSTRAINT "offer_versions_prices" CHECK ("offer_versions"."list_price" >= 0 and "offer_versions"."model_worker_price" between 0 and "offer_versions"."list_price" and "offer_versions"."hardship_price" between 0 and "offer_versions"."list_price" and "offer_versions"."union_member_price" between 0 and "offer_versions"."list_price" and "offer_versions"."all_workers_price" between 0 and "offer_versions"."list_price"),
	CONSTRAINT "offer_versions_places" CHECK ("offer_versions"."free_places" >= 0 and "offer_versions"."discounted_places" >= 0 and "offer_versions"."free_places" + "offer_versions"."discounted_places" <= "offer_versions"."places_per_month")
);
--> statement-breakpoint
CREATE TABLE "partner_offers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partnership_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "offer_versions" ADD CONSTRAINT "offer_versions_offer_id_partner_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."partner_offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offer_versions" ADD CONSTRAINT "offer_versions_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_offers" ADD CONSTRAINT "partner_offers_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "offer_versions_number_key" ON "offer_versions" USING btree ("offer_id","number");--> statement-breakpoint
CREATE INDEX "offer_versions_recorded_by_idx" ON "offer_versions" USING btree ("recorded_by");--> statement-breakpoint
CREATE INDEX "partner_offers_partnership_id_idx" ON "partner_offers" USING btree ("partnership_id");