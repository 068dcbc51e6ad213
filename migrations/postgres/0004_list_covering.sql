DROP INDEX "envelopes_env_created";--> statement-breakpoint
DROP INDEX "envelopes_env_status_created";--> statement-breakpoint
CREATE INDEX "envelopes_env_created" ON "envelopes" USING btree ("environment","created_at","id","revision");--> statement-breakpoint
CREATE INDEX "envelopes_env_status_created" ON "envelopes" USING btree ("environment","status","created_at","id","revision");