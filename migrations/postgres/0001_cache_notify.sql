-- Every node keeps API keys and documents in memory: a change to either tells all nodes
-- (LISTEN certyneo_cache, store/postgres.ts), which drop what they hold.
CREATE FUNCTION certyneo_notify_cache() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('certyneo_cache', TG_TABLE_NAME);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER api_keys_cache AFTER INSERT OR DELETE OR UPDATE OF revoked_at, scopes ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION certyneo_notify_cache();
--> statement-breakpoint
CREATE TRIGGER documents_cache AFTER INSERT OR DELETE OR UPDATE ON documents FOR EACH STATEMENT EXECUTE FUNCTION certyneo_notify_cache();
