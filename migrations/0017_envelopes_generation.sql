-- A list page depends on the envelopes rows only (which ones, their order, their revision:
-- every change of what a view shows moves the revision, 0011/0014). A process keeps pages as
-- sent (modules/envelopes/view-cache.ts) under this generation and answers one again, with no
-- page query, while the generation it reads has not moved: an insert, a delete, or a revision
-- move (every update of an envelope sets the revision, itself or through envelopes_revision)
-- moves it, in the writing transaction, whichever connection or process writes.
INSERT INTO `cache_generations` (`name`) VALUES ('envelopes');
--> statement-breakpoint
CREATE TRIGGER `envelopes_cache_insert` AFTER INSERT ON `envelopes` BEGIN
  UPDATE `cache_generations` SET `generation` = `generation` + 1 WHERE `name` = 'envelopes';
END;
--> statement-breakpoint
CREATE TRIGGER `envelopes_cache_update` AFTER UPDATE OF `revision` ON `envelopes` BEGIN
  UPDATE `cache_generations` SET `generation` = `generation` + 1 WHERE `name` = 'envelopes';
END;
--> statement-breakpoint
CREATE TRIGGER `envelopes_cache_delete` AFTER DELETE ON `envelopes` BEGIN
  UPDATE `cache_generations` SET `generation` = `generation` + 1 WHERE `name` = 'envelopes';
END;
