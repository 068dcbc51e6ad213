CREATE TABLE `batch_rows` (
	`batch_id` text NOT NULL,
	`row` integer NOT NULL,
	`status` text NOT NULL,
	`envelope_id` text,
	`errors` text,
	PRIMARY KEY(`batch_id`, `row`),
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`environment` text NOT NULL,
	`template_id` text NOT NULL,
	`key_id` text NOT NULL,
	`status` text NOT NULL,
	`total` integer NOT NULL,
	`rows` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`completed_at` integer
);
--> statement-breakpoint
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
ALTER TABLE `documents` ADD `form_fields` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `allow_reassign` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `prefill` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `template_id` text;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `batch_id` text;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `batch_row` integer;--> statement-breakpoint
CREATE INDEX `envelopes_batch_row` ON `envelopes` (`batch_id`,`batch_row`);--> statement-breakpoint
ALTER TABLE `fields` ADD `source` text DEFAULT 'explicit' NOT NULL;--> statement-breakpoint
ALTER TABLE `fields` ADD `read_only` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `recipients` ADD `role_name` text;--> statement-breakpoint
ALTER TABLE `recipients` ADD `link_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `recipients` ADD `reassigned_from` text;