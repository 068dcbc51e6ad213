ALTER TABLE `webhook_events` ADD `envelope_id` text;--> statement-breakpoint
UPDATE `webhook_events` SET `envelope_id` = json_extract(`payload`, '$.data.envelope.id');--> statement-breakpoint
CREATE INDEX `webhook_events_envelope` ON `webhook_events` (`envelope_id`) WHERE "webhook_events"."envelope_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`event_id`);