/**
 * The SQL migrations, embedded in the binary as text. drizzle-kit writes the .sql files
 * and the journal; when it adds one, add its import to SQL below (a test checks the list).
 */
import journal from "./meta/_journal.json";
import m0000 from "./0000_init.sql" with { type: "text" };
import m0001 from "./0001_recipient_signature_image.sql" with { type: "text" };
import m0002 from "./0002_webhook_deliveries_hook_due.sql" with { type: "text" };
import m0003 from "./0003_api_key_scopes.sql" with { type: "text" };
import m0004 from "./0004_admin_console.sql" with { type: "text" };
import m0005 from "./0005_jobs_leased_by.sql" with { type: "text" };
import m0006 from "./0006_signer_experience.sql" with { type: "text" };
import m0007 from "./0007_envelope_audit_head.sql" with { type: "text" };
import m0008 from "./0008_authoring.sql" with { type: "text" };
import m0009 from "./0009_field_position.sql" with { type: "text" };
import m0010 from "./0010_field_points.sql" with { type: "text" };
import m0011 from "./0011_envelope_revision.sql" with { type: "text" };
import m0012 from "./0012_list_covering.sql" with { type: "text" };
import m0013 from "./0013_webhook_deliveries_pending.sql" with { type: "text" };
import m0014 from "./0014_new_envelope_revision.sql" with { type: "text" };
import m0015 from "./0015_cache_generations.sql" with { type: "text" };
import m0016 from "./0016_webhook_events_envelope.sql" with { type: "text" };
import m0017 from "./0017_envelopes_generation.sql" with { type: "text" };
import m0018 from "./0018_partial_envelope_indexes.sql" with { type: "text" };
import m0019 from "./0019_seal_failed_index.sql" with { type: "text" };
import m0020 from "./0020_webhook_events_created.sql" with { type: "text" };
import m0021 from "./0021_envelopes_ended.sql" with { type: "text" };
import m0022 from "./0022_admin_totp_last_step.sql" with { type: "text" };
import m0023 from "./0023_recipient_indexes.sql" with { type: "text" };
import m0024 from "./0024_stored_file_indexes.sql" with { type: "text" };
import m0025 from "./0025_created_envelope_revision.sql" with { type: "text" };
import m0026 from "./0026_jobs_envelope.sql" with { type: "text" };
import m0027 from "./0027_idempotency_envelope.sql" with { type: "text" };
import m0028 from "./0028_jobs_due_created.sql" with { type: "text" };

const SQL: Record<string, string> = {
  "0000_init": m0000,
  "0001_recipient_signature_image": m0001,
  "0002_webhook_deliveries_hook_due": m0002,
  "0003_api_key_scopes": m0003,
  "0004_admin_console": m0004,
  "0005_jobs_leased_by": m0005,
  "0006_signer_experience": m0006,
  "0007_envelope_audit_head": m0007,
  "0008_authoring": m0008,
  "0009_field_position": m0009,
  "0010_field_points": m0010,
  "0011_envelope_revision": m0011,
  "0012_list_covering": m0012,
  "0013_webhook_deliveries_pending": m0013,
  "0014_new_envelope_revision": m0014,
  "0015_cache_generations": m0015,
  "0016_webhook_events_envelope": m0016,
  "0017_envelopes_generation": m0017,
  "0018_partial_envelope_indexes": m0018,
  "0019_seal_failed_index": m0019,
  "0020_webhook_events_created": m0020,
  "0021_envelopes_ended": m0021,
  "0022_admin_totp_last_step": m0022,
  "0023_recipient_indexes": m0023,
  "0024_stored_file_indexes": m0024,
  "0025_created_envelope_revision": m0025,
  "0026_jobs_envelope": m0026,
  "0027_idempotency_envelope": m0027,
  "0028_jobs_due_created": m0028,
};

export const migrationJournal = journal.entries.map((e) => ({ tag: e.tag, when: e.when, breakpoints: e.breakpoints }));
export const migrationSql = SQL;
