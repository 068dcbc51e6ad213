DROP INDEX `recipients_token_hash_unique`;--> statement-breakpoint
CREATE UNIQUE INDEX `recipients_token_hash_unique` ON `recipients` (`token_hash`) WHERE "recipients"."token_hash" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `fields_recipient` ON `fields` (`recipient_id`);