/**
 * The PostgreSQL migrations, embedded in the binary as text (drizzle-kit writes them from
 * src/store/schema-pg.ts: `npm run db:generate`). Add each new file's import here (a test checks).
 */
import journal from "./meta/_journal.json";
import m0000 from "./0000_init.sql" with { type: "text" };
import m0001 from "./0001_cache_notify.sql" with { type: "text" };
import m0002 from "./0002_rate_buckets.sql" with { type: "text" };
import m0003 from "./0003_envelope_revision.sql" with { type: "text" };
import m0004 from "./0004_list_covering.sql" with { type: "text" };
import m0005 from "./0005_webhook_deliveries_pending.sql" with { type: "text" };
import m0006 from "./0006_new_envelope_revision.sql" with { type: "text" };
import m0007 from "./0007_webhook_events_envelope.sql" with { type: "text" };
import m0008 from "./0008_partial_envelope_indexes.sql" with { type: "text" };
import m0009 from "./0009_seal_failed_index.sql" with { type: "text" };
import m0010 from "./0010_webhook_events_created.sql" with { type: "text" };
import m0011 from "./0011_envelopes_ended.sql" with { type: "text" };
import m0012 from "./0012_admin_totp_last_step.sql" with { type: "text" };
import m0013 from "./0013_cache_notify_on_change.sql" with { type: "text" };
import m0014 from "./0014_recipient_indexes.sql" with { type: "text" };
import m0015 from "./0015_stored_file_indexes.sql" with { type: "text" };
import m0016 from "./0016_created_envelope_revision.sql" with { type: "text" };
import m0017 from "./0017_jobs_envelope.sql" with { type: "text" };
import m0018 from "./0018_idempotency_envelope.sql" with { type: "text" };
import m0019 from "./0019_jobs_due_created.sql" with { type: "text" };

const SQL: Record<string, string> = {
  "0000_init": m0000,
  "0001_cache_notify": m0001,
  "0002_rate_buckets": m0002,
  "0003_envelope_revision": m0003,
  "0004_list_covering": m0004,
  "0005_webhook_deliveries_pending": m0005,
  "0006_new_envelope_revision": m0006,
  "0007_webhook_events_envelope": m0007,
  "0008_partial_envelope_indexes": m0008,
  "0009_seal_failed_index": m0009,
  "0010_webhook_events_created": m0010,
  "0011_envelopes_ended": m0011,
  "0012_admin_totp_last_step": m0012,
  "0013_cache_notify_on_change": m0013,
  "0014_recipient_indexes": m0014,
  "0015_stored_file_indexes": m0015,
  "0016_created_envelope_revision": m0016,
  "0017_jobs_envelope": m0017,
  "0018_idempotency_envelope": m0018,
  "0019_jobs_due_created": m0019,
};

export const migrationJournal = journal.entries.map((e) => ({ tag: e.tag, when: e.when, breakpoints: e.breakpoints }));
export const migrationSql = SQL;
