ALTER TABLE "idempotency_keys" ADD COLUMN "envelope_id" text;--> statement-breakpoint
UPDATE "idempotency_keys" SET "envelope_id" = '*' WHERE "response_body" LIKE '%"env\_%' ESCAPE '\';--> statement-breakpoint
CREATE INDEX "idempotency_envelope" ON "idempotency_keys" USING btree ("environment","envelope_id") WHERE "idempotency_keys"."envelope_id" IS NOT NULL;
