-- The job claim orders the due jobs by (run_at, created_at): with created_at in the index it reads
-- them in that order and stops at its limit, where before it sorted each run_at's jobs in a
-- temporary B-tree (src/jobs/claim.ts).
DROP INDEX `jobs_due`;--> statement-breakpoint
CREATE INDEX `jobs_due` ON `jobs` (`status`,`run_at`,`created_at`);
