-- The API rate limit's buckets shared by the nodes (http/rate-limit.ts, store/rate-buckets.ts):
-- one row per key, written by each node once per reconciliation interval, not per request;
-- `version` (from a sequence, whatever the nodes' clocks say) tells each node what changed since it last looked.
CREATE SEQUENCE "rate_buckets_version";
--> statement-breakpoint
CREATE TABLE "rate_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"at" bigint NOT NULL,
	"version" bigint NOT NULL DEFAULT nextval('rate_buckets_version')
);
--> statement-breakpoint
CREATE INDEX "rate_buckets_version_idx" ON "rate_buckets" ("version");
