-- The API rate limit's buckets shared by the nodes (http/rate-limit.ts, store/rate-buckets.ts):
-- one row per key, written by each node once per reconciliation interval, not per request.
CREATE TABLE "rate_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"at" bigint NOT NULL
);
