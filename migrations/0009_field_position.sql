ALTER TABLE `fields` ADD `position` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Rows made before this column keep their insertion order (rowid grows with every insert).
UPDATE `fields` SET `position` = rowid;
