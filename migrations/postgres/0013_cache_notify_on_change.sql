-- A new API key or document is found by a cache miss (as on SQLite): only a change or a deletion
-- tells the nodes, which no longer drop what they hold at every upload.
DROP TRIGGER api_keys_cache ON api_keys;
--> statement-breakpoint
CREATE TRIGGER api_keys_cache AFTER DELETE OR UPDATE OF revoked_at, scopes, hash, environment ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION certyneo_notify_cache();
--> statement-breakpoint
DROP TRIGGER documents_cache ON documents;
--> statement-breakpoint
CREATE TRIGGER documents_cache AFTER DELETE OR UPDATE ON documents FOR EACH STATEMENT EXECUTE FUNCTION certyneo_notify_cache();
