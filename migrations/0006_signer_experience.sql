-- Hand-written instead of drizzle-kit's table rebuild, which would DROP envelopes and so cascade
-- into its recipients, fields and documents: the same final columns, changed in place.
ALTER TABLE `envelopes` ADD `sender_name` text;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `sender_email` text;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `allowed_origins` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `redirect_url` text;--> statement-breakpoint
ALTER TABLE `envelopes` ADD `locale_chosen` text;--> statement-breakpoint
UPDATE `envelopes` SET `locale_chosen` = `locale`;--> statement-breakpoint
ALTER TABLE `envelopes` DROP COLUMN `locale`;--> statement-breakpoint
ALTER TABLE `envelopes` RENAME COLUMN `locale_chosen` TO `locale`;--> statement-breakpoint
ALTER TABLE `recipients` ADD `auth_method` text;--> statement-breakpoint
ALTER TABLE `recipients` ADD `access_code_hash` text;--> statement-breakpoint
ALTER TABLE `recipients` ADD `otp_hash` text;--> statement-breakpoint
ALTER TABLE `recipients` ADD `otp_expires_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `otp_sent_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `otp_sends` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `recipients` ADD `auth_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `recipients` ADD `auth_locked_until` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `authenticated_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `embedded` integer DEFAULT false NOT NULL;