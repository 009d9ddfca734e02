ALTER TYPE "public"."document_kind" ADD VALUE 'audit_checkpoint';--> statement-breakpoint
ALTER TABLE "documents" ALTER COLUMN "recruitment_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "award_sign_offs" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "chain_head" text;--> statement-breakpoint
ALTER TABLE "evaluation_sign_offs" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "openings" ADD COLUMN "sign_off_chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "recruitments" ADD COLUMN "cancel_countersign_chain_seq" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_one_checkpoint_per_subject" ON "documents" USING btree ("subject") WHERE "documents"."recruitment_id" is null;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_checkpoint_without_recruitment" CHECK (("documents"."kind"::text = 'audit_checkpoint') = ("documents"."recruitment_id" is null));