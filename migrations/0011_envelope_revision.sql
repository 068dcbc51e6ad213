ALTER TABLE `envelopes` ADD `revision` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- The revision moves on every change of an envelope (unless the change sets it itself) and of
-- the rows its API view shows: cached views are keyed on it (modules/envelopes/view-cache.ts).
-- An audit append moves the envelope's recorded head; an audit row changed or removed (never
-- by the application) moves it too, so the summary shows the tampering at once.
CREATE TRIGGER `envelopes_revision` AFTER UPDATE ON `envelopes` WHEN NEW.`revision` = OLD.`revision` BEGIN
  UPDATE `envelopes` SET `revision` = OLD.`revision` + 1 WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `recipients_revision_insert` AFTER INSERT ON `recipients` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `recipients_revision_update` AFTER UPDATE ON `recipients` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `recipients_revision_delete` AFTER DELETE ON `recipients` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = OLD.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `fields_revision_insert` AFTER INSERT ON `fields` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `fields_revision_update` AFTER UPDATE ON `fields` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `fields_revision_delete` AFTER DELETE ON `fields` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = OLD.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `envelope_documents_revision_insert` AFTER INSERT ON `envelope_documents` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `envelope_documents_revision_update` AFTER UPDATE ON `envelope_documents` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `envelope_documents_revision_delete` AFTER DELETE ON `envelope_documents` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = OLD.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_revision_update` AFTER UPDATE ON `audit_events` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = NEW.`envelope_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_revision_delete` AFTER DELETE ON `audit_events` BEGIN
  UPDATE `envelopes` SET `revision` = `revision` + 1 WHERE `id` = OLD.`envelope_id`;
END;
