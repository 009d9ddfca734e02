ALTER TYPE "public"."document_kind" ADD VALUE 'announcement';--> statement-breakpoint
ALTER TABLE "bid_versions" ADD COLUMN "bid_key_fingerprint" text;--> statement-breakpoint
-- bids received before receipts named their key were sealed to their recruitment's key
UPDATE "bid_versions" SET "bid_key_fingerprint" = encode(sha256(decode(r."bid_public_key", 'base64')), 'hex')
  FROM "bids" b JOIN "recruitments" r ON r."id" = b."recruitment_id"
  WHERE b."id" = "bid_versions"."bid_id";--> statement-breakpoint
ALTER TABLE "bid_versions" ALTER COLUMN "bid_key_fingerprint" SET NOT NULL;
