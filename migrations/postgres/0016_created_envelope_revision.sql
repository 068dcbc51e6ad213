-- An envelope is inserted at revision 1 with its first audit event's head, and that event is
-- written last in the creating transaction (modules/envelopes/create-envelope.ts): the row is
-- then never updated by its own creation (0006 inserted it at 0 and moved it to 1 at the end).
-- A part inserted (document, recipient, field) moves its envelope's revision only once the
-- envelope has an audit event, which every envelope has from the end of its creation on.
CREATE OR REPLACE FUNCTION certyneo_envelope_part_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE envelopes SET revision = revision + 1 WHERE id = OLD.envelope_id AND revision > 0;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE envelopes SET revision = revision + 1 WHERE id = NEW.envelope_id AND revision > 0;
  ELSIF EXISTS (SELECT 1 FROM audit_events WHERE envelope_id = NEW.envelope_id) THEN
    UPDATE envelopes SET revision = revision + 1 WHERE id = NEW.envelope_id;
  END IF;
  RETURN NULL;
END $$;
