ALTER TABLE `documents` ADD `tags` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `fields` ADD `source` text DEFAULT 'explicit' NOT NULL;--> statement-breakpoint
ALTER TABLE `recipients` ADD `role_name` text;