ALTER TABLE "jobs" ADD COLUMN "envelope_id" text;--> statement-breakpoint
UPDATE "jobs" SET "envelope_id" = coalesce(("payload"::jsonb) ->> 'envelopeId', (SELECT "recipients"."envelope_id" FROM "recipients" WHERE "recipients"."id" = ("jobs"."payload"::jsonb) ->> 'recipientId')) WHERE "status" <> 'done';--> statement-breakpoint
CREATE INDEX "jobs_envelope" ON "jobs" USING btree ("envelope_id") WHERE "jobs"."envelope_id" IS NOT NULL;
