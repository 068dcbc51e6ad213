ALTER TABLE "webhook_events" ADD COLUMN "envelope_id" text;--> statement-breakpoint
UPDATE "webhook_events" SET "envelope_id" = ("payload"::jsonb) #>> '{data,envelope,id}';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event" ON "webhook_deliveries" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "webhook_events_envelope" ON "webhook_events" USING btree ("envelope_id") WHERE "webhook_events"."envelope_id" IS NOT NULL;