-- An envelope is inserted at revision 0 and its creation ends with the audit append, which
-- moves it to 1 in the same transaction: the rows written meanwhile (recipients, fields,
-- documents) need not move it each, every move rewriting the row and its list indexes. No
-- view of revision 0 is ever read: it exists only inside the creating transaction. Envelopes
-- still at 0 from before 0011 move to 1 here, so every later change of their parts moves them.
UPDATE `envelopes` SET `revision` = 1 WHERE `revision` = 0;
--> statement-breakpoint
DROP TRIGGER `recipients_revision_insert`;
--> statement-breakpoint
CREATE TRIGGER `recipients_revision_insert` AFTER INSERT ON `recipients` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `recipients_revision_update`;
--> statement-breakpoint
CREATE TRIGGER `recipients_revision_update` AFTER UPDATE ON `recipients` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `recipients_revision_delete`;
--> statement-breakpoint
CREATE TRIGGER `recipients_revision_delete` AFTER DELETE ON `recipients` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = OLD.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `fields_revision_insert`;
--> statement-breakpoint
CREATE TRIGGER `fields_revision_insert` AFTER INSERT ON `fields` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `fields_revision_update`;
--> statement-breakpoint
CREATE TRIGGER `fields_revision_update` AFTER UPDATE ON `fields` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `fields_revision_delete`;
--> statement-breakpoint
CREATE TRIGGER `fields_revision_delete` AFTER DELETE ON `fields` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = OLD.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `envelope_documents_revision_insert`;
--> statement-breakpoint
CREATE TRIGGER `envelope_documents_revision_insert` AFTER INSERT ON `envelope_documents` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `envelope_documents_revision_update`;
--> statement-breakpoint
CREATE TRIGGER `envelope_documents_revision_update` AFTER UPDATE ON `envelope_documents` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id` AND `revision` > 0;
END;
--> statement-breakpoint
DROP TRIGGER `envelope_documents_revision_delete`;
--> statement-breakpoint
CREATE TRIGGER `envelope_documents_revision_delete` AFTER DELETE ON `envelope_documents` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = OLD.`envelope_id` AND `revision` > 0;
END;
