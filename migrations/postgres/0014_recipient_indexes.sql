ALTER TABLE "recipients" DROP CONSTRAINT "recipients_token_hash_unique";--> statement-breakpoint
CREATE INDEX "fields_recipient" ON "fields" USING btree ("recipient_id");--> statement-breakpoint
CREATE UNIQUE INDEX "recipients_token_hash_unique" ON "recipients" USING btree ("token_hash") WHERE "recipients"."token_hash" IS NOT NULL;