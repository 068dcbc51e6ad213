-- An envelope is inserted at revision 1 with its first audit event's head, and that event is
-- written last in the creating transaction (modules/envelopes/create-envelope.ts): the row is
-- then never updated by its own creation (0014 inserted it at 0 and moved it to 1 at the end,
-- rewriting the row and its list indexes). The rows written with it (documents, recipients,
-- fields) move its revision only once it has an audit event, which every envelope has from the
-- end of its creation on: a view read outside the creating transaction is the one of revision 1.
DROP TRIGGER `recipients_revision_insert`;
--> statement-breakpoint
CREATE TRIGGER `recipients_revision_insert` AFTER INSERT ON `recipients`
WHEN EXISTS (SELECT 1 FROM `audit_events` WHERE `envelope_id` = NEW.`envelope_id`) BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
DROP TRIGGER `fields_revision_insert`;
--> statement-breakpoint
CREATE TRIGGER `fields_revision_insert` AFTER INSERT ON `fields`
WHEN EXISTS (SELECT 1 FROM `audit_events` WHERE `envelope_id` = NEW.`envelope_id`) BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
DROP TRIGGER `envelope_documents_revision_insert`;
--> statement-breakpoint
CREATE TRIGGER `envelope_documents_revision_insert` AFTER INSERT ON `envelope_documents`
WHEN EXISTS (SELECT 1 FROM `audit_events` WHERE `envelope_id` = NEW.`envelope_id`) BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
