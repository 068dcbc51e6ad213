DROP INDEX `envelopes_status`;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `audit_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `audit_head` text DEFAULT '0000000000000000000000000000000000000000000000000000000000000000' NOT NULL;--> statement-breakpoint
CREATE INDEX `envelopes_status_expires` ON `envelopes` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `envelopes_reminding` ON `envelopes` (`status`) WHERE "envelopes"."reminder_interval_hours" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `envelopes_env_status_created` ON `envelopes` (`environment`,`status`,`created_at`,`id`);--> statement-breakpoint
-- Envelopes from before this migration: their head is the last stored event, taken as it is.
UPDATE `envelopes` SET
  `audit_seq` = coalesce((SELECT max(`seq`) FROM `audit_events` WHERE `envelope_id` = `envelopes`.`id`), 0),
  `audit_head` = coalesce((SELECT `hash` FROM `audit_events` WHERE `envelope_id` = `envelopes`.`id` ORDER BY `seq` DESC LIMIT 1), `audit_head`);
