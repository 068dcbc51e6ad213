PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_fields` (
	`id` text PRIMARY KEY NOT NULL,
	`envelope_id` text NOT NULL,
	`recipient_id` text NOT NULL,
	`document_id` text NOT NULL,
	`type` text NOT NULL,
	`page` integer NOT NULL,
	`x` real NOT NULL,
	`y` real NOT NULL,
	`width` real NOT NULL,
	`height` real NOT NULL,
	`required` integer DEFAULT true NOT NULL,
	`label` text,
	`value` text,
	`source` text DEFAULT 'explicit' NOT NULL,
	`read_only` integer DEFAULT false NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`envelope_id`) REFERENCES `envelopes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`recipient_id`) REFERENCES `recipients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_fields`("id", "envelope_id", "recipient_id", "document_id", "type", "page", "x", "y", "width", "height", "required", "label", "value", "source", "read_only", "position") SELECT "id", "envelope_id", "recipient_id", "document_id", "type", "page", "x", "y", "width", "height", "required", "label", "value", "source", "read_only", "position" FROM `fields`;--> statement-breakpoint
DROP TABLE `fields`;--> statement-breakpoint
ALTER TABLE `__new_fields` RENAME TO `fields`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `fields_envelope` ON `fields` (`envelope_id`);