DROP INDEX "envelopes_status_expires";--> statement-breakpoint
DROP INDEX "envelopes_batch_row";--> statement-breakpoint
CREATE INDEX "envelopes_status_expires" ON "envelopes" USING btree ("status","expires_at") WHERE "envelopes"."expires_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "envelopes_batch_row" ON "envelopes" USING btree ("batch_id","batch_row") WHERE "envelopes"."batch_id" IS NOT NULL;