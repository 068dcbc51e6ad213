CREATE TABLE "admin_actions" (
	"id" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"environment" text,
	"ip" text,
	"user_agent" text,
	"data" text
);
--> statement-breakpoint
CREATE TABLE "admin_login_throttle" (
	"email" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"locked_until" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"admin_id" text NOT NULL,
	"csrf_token" text NOT NULL,
	"verified" smallint NOT NULL,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "admin_users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"totp_secret" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"last_login_at" bigint,
	CONSTRAINT "admin_users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"scopes" text DEFAULT '["envelopes","webhooks","keys"]' NOT NULL,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint,
	"revoked_at" bigint,
	CONSTRAINT "api_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"envelope_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"data" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_envelope_id_seq_pk" PRIMARY KEY("envelope_id","seq")
);
--> statement-breakpoint
CREATE TABLE "batch_rows" (
	"batch_id" text NOT NULL,
	"row" integer NOT NULL,
	"status" text NOT NULL,
	"envelope_id" text,
	"errors" text,
	CONSTRAINT "batch_rows_batch_id_row_pk" PRIMARY KEY("batch_id","row")
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"template_id" text NOT NULL,
	"key_id" text NOT NULL,
	"status" text NOT NULL,
	"total" integer NOT NULL,
	"rows" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"completed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"name" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"page_count" integer NOT NULL,
	"pages" text NOT NULL,
	"tags" text DEFAULT '[]' NOT NULL,
	"form_fields" text DEFAULT '[]' NOT NULL,
	"created_at" bigint NOT NULL,
	"deleted_at" bigint
);
--> statement-breakpoint
CREATE TABLE "envelope_documents" (
	"envelope_id" text NOT NULL,
	"document_id" text NOT NULL,
	"position" integer NOT NULL,
	"sealed_sha256" text,
	CONSTRAINT "envelope_documents_envelope_id_document_id_pk" PRIMARY KEY("envelope_id","document_id")
);
--> statement-breakpoint
CREATE TABLE "envelope_tombstones" (
	"envelope_id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"status" text NOT NULL,
	"created_at" bigint NOT NULL,
	"ended_at" bigint,
	"purged_at" bigint NOT NULL,
	"reason" text NOT NULL,
	"actor" text NOT NULL,
	"audit_head" text NOT NULL,
	"audit_count" integer NOT NULL,
	"document_hashes" text NOT NULL,
	"sealed_sha256" text
);
--> statement-breakpoint
CREATE TABLE "envelopes" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"subject" text NOT NULL,
	"message" text,
	"status" text NOT NULL,
	"locale" text,
	"sender_name" text,
	"sender_email" text,
	"allowed_origins" text DEFAULT '[]' NOT NULL,
	"redirect_url" text,
	"notify_by_sms" smallint DEFAULT 0 NOT NULL,
	"allow_reassign" smallint DEFAULT 0 NOT NULL,
	"expires_at" bigint,
	"reminder_interval_hours" integer,
	"metadata" text DEFAULT '{}' NOT NULL,
	"prefill" text DEFAULT '{}' NOT NULL,
	"template_id" text,
	"batch_id" text,
	"batch_row" integer,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"sent_at" bigint,
	"completed_at" bigint,
	"ended_at" bigint,
	"end_reason" text,
	"seal_status" text,
	"sealed_sha256" text,
	"sealed_at" bigint,
	"audit_seq" integer DEFAULT 0 NOT NULL,
	"audit_head" text DEFAULT '0000000000000000000000000000000000000000000000000000000000000000' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fields" (
	"id" text PRIMARY KEY NOT NULL,
	"envelope_id" text NOT NULL,
	"recipient_id" text NOT NULL,
	"document_id" text NOT NULL,
	"type" text NOT NULL,
	"page" integer NOT NULL,
	"x" double precision NOT NULL,
	"y" double precision NOT NULL,
	"width" double precision NOT NULL,
	"height" double precision NOT NULL,
	"required" smallint DEFAULT 1 NOT NULL,
	"label" text,
	"value" text,
	"source" text DEFAULT 'explicit' NOT NULL,
	"read_only" smallint DEFAULT 0 NOT NULL,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"environment" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"response_status" integer,
	"response_headers" text,
	"response_body" text,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "idempotency_keys_environment_key_pk" PRIMARY KEY("environment","key")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"payload" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"run_at" bigint NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"leased_by" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recipients" (
	"id" text PRIMARY KEY NOT NULL,
	"envelope_id" text NOT NULL,
	"position" integer NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"phone" text,
	"role" text NOT NULL,
	"role_name" text,
	"routing_order" integer NOT NULL,
	"status" text NOT NULL,
	"token_hash" text,
	"link_version" integer DEFAULT 0 NOT NULL,
	"reassigned_from" text,
	"sent_at" bigint,
	"viewed_at" bigint,
	"signed_at" bigint,
	"declined_at" bigint,
	"decline_reason" text,
	"last_reminded_at" bigint,
	"signature_type" text,
	"signature_value" text,
	"signature_image_sha256" text,
	"ip" text,
	"user_agent" text,
	"auth_method" text,
	"access_code_hash" text,
	"otp_hash" text,
	"otp_expires_at" bigint,
	"otp_sent_at" bigint,
	"otp_sends" integer DEFAULT 0 NOT NULL,
	"auth_failures" integer DEFAULT 0 NOT NULL,
	"auth_locked_until" bigint,
	"authenticated_at" bigint,
	"embedded" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "recipients_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"name" text NOT NULL,
	"subject" text NOT NULL,
	"message" text,
	"locale" text DEFAULT 'en' NOT NULL,
	"document_ids" text NOT NULL,
	"roles" text NOT NULL,
	"fields" text DEFAULT '[]' NOT NULL,
	"expires_in_days" integer,
	"reminder_interval_hours" integer,
	"notify_by_sms" smallint DEFAULT 0 NOT NULL,
	"metadata" text DEFAULT '{}' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_attempts" (
	"delivery_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"at" bigint NOT NULL,
	"status_code" integer,
	"duration_ms" integer NOT NULL,
	"error" text,
	CONSTRAINT "webhook_attempts_delivery_id_attempt_pk" PRIMARY KEY("delivery_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"webhook_id" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint,
	"last_status_code" integer,
	"last_error" text,
	"last_duration_ms" integer,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"type" text NOT NULL,
	"payload" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"events" text NOT NULL,
	"secret" text NOT NULL,
	"enabled" smallint DEFAULT 1 NOT NULL,
	"disabled_reason" text,
	"failing_since" bigint,
	"created_at" bigint NOT NULL,
	"deleted_at" bigint
);
--> statement-breakpoint
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_admin_id_admin_users_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."admin_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batch_rows" ADD CONSTRAINT "batch_rows_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envelope_documents" ADD CONSTRAINT "envelope_documents_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envelope_documents" ADD CONSTRAINT "envelope_documents_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fields" ADD CONSTRAINT "fields_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fields" ADD CONSTRAINT "fields_recipient_id_recipients_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."recipients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recipients" ADD CONSTRAINT "recipients_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_webhook_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."webhook_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_actions_at" ON "admin_actions" USING btree ("at");--> statement-breakpoint
CREATE INDEX "admin_sessions_admin" ON "admin_sessions" USING btree ("admin_id");--> statement-breakpoint
CREATE INDEX "documents_env_created" ON "documents" USING btree ("environment","created_at","id");--> statement-breakpoint
CREATE INDEX "documents_sha" ON "documents" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "envelope_documents_doc" ON "envelope_documents" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "envelopes_env_created" ON "envelopes" USING btree ("environment","created_at","id");--> statement-breakpoint
CREATE INDEX "envelopes_status_expires" ON "envelopes" USING btree ("status","expires_at");--> statement-breakpoint
CREATE INDEX "envelopes_reminding" ON "envelopes" USING btree ("status") WHERE "envelopes"."reminder_interval_hours" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "envelopes_env_status_created" ON "envelopes" USING btree ("environment","status","created_at","id");--> statement-breakpoint
CREATE INDEX "envelopes_batch_row" ON "envelopes" USING btree ("batch_id","batch_row");--> statement-breakpoint
CREATE INDEX "fields_envelope" ON "fields" USING btree ("envelope_id");--> statement-breakpoint
CREATE INDEX "idempotency_expires" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "jobs_due" ON "jobs" USING btree ("status","run_at");--> statement-breakpoint
CREATE INDEX "recipients_envelope" ON "recipients" USING btree ("envelope_id");--> statement-breakpoint
CREATE INDEX "templates_env_created" ON "templates" USING btree ("environment","created_at","id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due" ON "webhook_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_hook" ON "webhook_deliveries" USING btree ("webhook_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_hook_due" ON "webhook_deliveries" USING btree ("webhook_id","status","next_attempt_at");