-- Every process keeps API keys and documents in memory (modules/keys, modules/documents): a
-- change to a row it may hold moves that table's generation here, in the same transaction,
-- whichever connection or process writes (the CLI too), and the caches drop what they hold.
-- Before, any commit at all dropped them (PRAGMA data_version and a watch on the directory),
-- so under writes every request read the keys again. A key or document inserted needs no
-- move: a miss looks in the table. PostgreSQL notifies the nodes instead (0001_cache_notify).
CREATE TABLE `cache_generations` (
  `name` text PRIMARY KEY NOT NULL,
  `generation` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `cache_generations` (`name`) VALUES ('api_keys'), ('documents');
--> statement-breakpoint
CREATE TRIGGER `api_keys_cache_update` AFTER UPDATE OF `revoked_at`, `scopes`, `hash`, `environment` ON `api_keys` BEGIN
  UPDATE `cache_generations` SET `generation` = `generation` + 1 WHERE `name` = 'api_keys';
END;
--> statement-breakpoint
CREATE TRIGGER `api_keys_cache_delete` AFTER DELETE ON `api_keys` BEGIN
  UPDATE `cache_generations` SET `generation` = `generation` + 1 WHERE `name` = 'api_keys';
END;
--> statement-breakpoint
CREATE TRIGGER `documents_cache_update` AFTER UPDATE ON `documents` BEGIN
  UPDATE `cache_generations` SET `generation` = `generation` + 1 WHERE `name` = 'documents';
END;
--> statement-breakpoint
CREATE TRIGGER `documents_cache_delete` AFTER DELETE ON `documents` BEGIN
  UPDATE `cache_generations` SET `generation` = `generation` + 1 WHERE `name` = 'documents';
END;
