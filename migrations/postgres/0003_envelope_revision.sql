ALTER TABLE "envelopes" ADD COLUMN "revision" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- The revision moves on every change of an envelope (unless the change sets it itself) and of
-- the rows its API view shows: cached views are keyed on it (modules/envelopes/view-cache.ts).
-- An audit append moves the envelope's recorded head; an audit row changed or removed (never
-- by the application) moves it too, so the summary shows the tampering at once.
CREATE FUNCTION certyneo_envelope_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revision = OLD.revision THEN NEW.revision := OLD.revision + 1; END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER envelopes_revision BEFORE UPDATE ON envelopes FOR EACH ROW EXECUTE FUNCTION certyneo_envelope_revision();
--> statement-breakpoint
CREATE FUNCTION certyneo_envelope_part_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE envelopes SET revision = revision + 1 WHERE id = OLD.envelope_id;
  ELSE
    UPDATE envelopes SET revision = revision + 1 WHERE id = NEW.envelope_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recipients_revision AFTER INSERT OR UPDATE OR DELETE ON recipients FOR EACH ROW EXECUTE FUNCTION certyneo_envelope_part_revision();
--> statement-breakpoint
CREATE TRIGGER fields_revision AFTER INSERT OR UPDATE OR DELETE ON fields FOR EACH ROW EXECUTE FUNCTION certyneo_envelope_part_revision();
--> statement-breakpoint
CREATE TRIGGER envelope_documents_revision AFTER INSERT OR UPDATE OR DELETE ON envelope_documents FOR EACH ROW EXECUTE FUNCTION certyneo_envelope_part_revision();
--> statement-breakpoint
CREATE TRIGGER audit_events_revision AFTER UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION certyneo_envelope_part_revision();
