ALTER TABLE `jobs` ADD `envelope_id` text;--> statement-breakpoint
UPDATE `jobs` SET `envelope_id` = coalesce(json_extract(`payload`, '$.envelopeId'), (SELECT `recipients`.`envelope_id` FROM `recipients` WHERE `recipients`.`id` = json_extract(`jobs`.`payload`, '$.recipientId'))) WHERE `status` <> 'done';--> statement-breakpoint
CREATE INDEX `jobs_envelope` ON `jobs` (`envelope_id`) WHERE "jobs"."envelope_id" IS NOT NULL;
