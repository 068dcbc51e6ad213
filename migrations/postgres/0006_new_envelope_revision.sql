-- An envelope is inserted at revision 0 and its creation ends with the audit append, which
-- moves it to 1 in the same transaction: the rows written meanwhile (recipients, fields,
-- documents) need not move it each, every move rewriting the row and its list indexes. No
-- view of revision 0 is ever read: it exists only inside the creating transaction. Envelopes
-- still at 0 from before 0011 move to 1 here, so every later change of their parts moves them.
UPDATE envelopes SET revision = 1 WHERE revision = 0;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION certyneo_envelope_part_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE envelopes SET revision = revision + 1 WHERE id = OLD.envelope_id AND revision > 0;
  ELSE
    UPDATE envelopes SET revision = revision + 1 WHERE id = NEW.envelope_id AND revision > 0;
  END IF;
  RETURN NULL;
END $$;
