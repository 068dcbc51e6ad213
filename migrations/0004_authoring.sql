CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`environment` text NOT NULL,
	`name` text NOT NULL,
	`subject` text NOT NULL,
	`message` text,
	`locale` text DEFAULT 'en' NOT NULL,
	`document_ids` text NOT NULL,
	`roles` text NOT NULL,
	`fields` text DEFAULT '[]' NOT NULL,
	`expires_in_days` integer,
	`reminder_interval_hours` integer,
	`notify_by_sms` integer DEFAULT false NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `templates_env_created` ON `templates` (`environment`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `documents` ADD `tags` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `prefill` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `template_id` text;--> statement-breakpoint
ALTER TABLE `fields` ADD `source` text DEFAULT 'explicit' NOT NULL;--> statement-breakpoint
ALTER TABLE `fields` ADD `read_only` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `recipients` ADD `role_name` text;--> statement-breakpoint
ALTER TABLE `recipients` ADD `link_version` integer DEFAULT 0 NOT NULL;