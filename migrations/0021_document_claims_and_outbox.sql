CREATE TABLE "document_claims" (
	"recruitment_id" uuid PRIMARY KEY NOT NULL,
	"holder" uuid NOT NULL,
	"until" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outgoing_mails" (
	"id" uuid PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"recipient" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"sent_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "mail_id" uuid;--> statement-breakpoint
ALTER TABLE "document_claims" ADD CONSTRAINT "document_claims_recruitment_id_recruitments_id_fk" FOREIGN KEY ("recruitment_id") REFERENCES "public"."recruitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "outgoing_mails_purpose_recipient_key" ON "outgoing_mails" USING btree ("purpose","recipient");--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_mail_id_outgoing_mails_id_fk" FOREIGN KEY ("mail_id") REFERENCES "public"."outgoing_mails"("id") ON DELETE no action ON UPDATE no action;