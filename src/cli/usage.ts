/**
 * What the command line says of itself: the help and each command's usage. Apart from the
 * commands, which load the program: `certyneo --help` and `certyneo COMMAND --help` load nothing
 * else.
 */
import { VERSION } from "../version";

export const HELP = `Certyneo ${VERSION} — self-hosted electronic signatures

Usage: certyneo [command]

Commands:
  serve                                  Start the server (default)
       [--accept-new-instance-key]       ... making a new instance.key although envelopes need the lost one
  keys create --env test|live --name N   Create an API key; the key is printed once, alone on the last line
       [--scopes S] [--json]             ... or as {"id","key","env","name","scopes"}
  keys list [--json]                     List API keys
  keys revoke KEY_ID                     Revoke a key (effective on its next request)
  admin create|reset-password --email E --password-stdin
                                         Console accounts (see certyneo admin --help)
  migrate                                Apply database migrations and exit
  migrate-data --to postgres://...       Copy the database into an empty PostgreSQL (or --to DATA_DIR: back to SQLite), verified
  migrate-data --storage s3://B/PREFIX   Copy every file (and the instance secret) to a bucket, SHA-256 checked
  migrate-data --storage DATA_DIR        ... or from the bucket back to a data directory
  backup FILE                            One-file backup (database, instance key, PDFs), safe while the server runs
  restore FILE [--force]                 Restore a backup into an empty data directory (server stopped)
  doctor [--smtp] [--json]               Check configuration, data directory, certificate, SMTP, TSA
  verify FILE.pdf [--json]               Check a PDF's signatures (exit 0 when all hold)
  seal ENVELOPE_ID                       Seal a COMPLETED envelope now (e.g. after a failed seal)
  seal extend [--before DAYS]            New document time-stamp for sealed PDFs whose last one expires within DAYS
  remind ENVELOPE_ID RECIPIENT_ID        Remind a recipient now ([--invitation]: send the invitation again)
  healthcheck                            Exit 0 if the local server answers /healthz (for containers)
  licenses                               The licenses of the third-party software in this executable
  --help, -h                             This help; COMMAND --help: that command's
  --version, -v                          Print the version

Configuration: certyneo.config.ts defaults, overridden by CERTYNEO_* environment
variables (CERTYNEO_PORT, CERTYNEO_HOST, CERTYNEO_DATA_DIR, CERTYNEO_BASE_URL, ...).`;

export const KEYS_USAGE = `Usage:
  certyneo keys create --env test|live --name NAME [--scopes envelopes,webhooks,keys] [--json]
      Create an API key. It is printed once, alone on the last line (--json: {"id","key","env","name","scopes"}).
      Scopes default to all three; "keys" lets the key manage keys.
  certyneo keys list [--json]      List keys (never the keys themselves)
  certyneo keys revoke KEY_ID      Revoke a key; it fails on its very next request`;

export const ADMIN_USAGE = `Usage: certyneo admin <command>

Console accounts (sign in at {baseUrl}/admin/login):
  admin create --email EMAIL --password-stdin          Create an admin; the password is read from standard input
  admin reset-password --email EMAIL --password-stdin  Set a new password (ends the account's sessions, lifts a lockout)
  admin totp enable --email EMAIL                      Turn on the TOTP second factor; prints the secret and otpauth:// URI
  admin totp disable --email EMAIL                     Turn it off
  admin list [--json]                                  List admins

Example: printf '%s' "$PASSWORD" | certyneo admin create --email it@example.com --password-stdin`;

export const MIGRATE_DATA_USAGE = `Usage:
  certyneo migrate-data --to postgres://user:pass@host/db   Copy the configured database into an empty PostgreSQL database
  certyneo migrate-data --to DATA_DIR                        ... or into a new SQLite database in DATA_DIR (back from PostgreSQL)
  certyneo migrate-data --storage s3://bucket/prefix         Copy every file of the configured storage, the instance secret
                                                             and the development certificate into the bucket (S3_* credentials)
  certyneo migrate-data --storage DATA_DIR                   ... or into a data directory (e.g. back from a bucket)
--to and --storage may be given together. Stop the server first. The database is copied in one
transaction, then every table's row count and SHA-256 are compared; each file copy is read back
and its SHA-256 checked (a re-run copies only what is missing or damaged).`;

export const BACKUP_USAGE = `Usage: certyneo backup FILE [--json]

Writes one tar.gz with everything a restore needs: a consistent snapshot of the database
(taken while the server runs and writes), the instance key (without it, signing links already
sent stop working), the development certificate if any, and every stored PDF.`;

export const RESTORE_USAGE = `Usage: certyneo restore FILE [--force] [--json]

Restores a backup into the data directory (CERTYNEO_DATA_DIR), which must be empty; with
--force a non-empty one is moved aside to DATA_DIR.before-restore-TIME. Stop the server first.
Every PDF is checked against its SHA-256 and the database against SQLite's integrity check
before anything is swapped in.`;

export const DOCTOR_USAGE = `Usage: certyneo doctor [--smtp] [--json]

Checks the configuration, the data directory (permissions, free space), the database, the
instance key, the sealing certificate (validity, expiry), the SMTP server (with --smtp: connects
and greets it) and the time-stamp authority, one line each. Changes nothing. Exit code 1 when a
check fails.`;

export const VERIFY_USAGE = `Usage: certyneo verify FILE.pdf [--json]

Checks every signature of a PDF: signer, issuer, times, whether the signed bytes are intact and
cover the whole document, whether this instance made it. Exit code 0 when all hold, 1 otherwise.`;

export const SEAL_USAGE = `Usage:
  certyneo seal ENVELOPE_ID              Seal a COMPLETED envelope now, also one whose seal had failed for good
                                         (the server retries on its own otherwise; the console's "Retry sealing" queues the same)
  certyneo seal extend [--before DAYS]   Archival renewal now, for sealed files whose last document time-stamp's
                                         certificate expires within DAYS (default seal.extendBeforeDays)`;

export const REMIND_USAGE = `Usage: certyneo remind ENVELOPE_ID RECIPIENT_ID [--invitation]

Queues a reminder (or, with --invitation, the invitation again) for a recipient who still has
to act; the running server sends it within a second.`;

/** Each command's usage, printed by `certyneo COMMAND --help` (or -h, anywhere after it) and nothing else. */
export const USAGE: Record<string, string> = {
  serve: `Usage: certyneo serve [--accept-new-instance-key]

Starts the server (the default command): HTTP API, signer pages, admin console, background
work. Configuration from certyneo.config.ts and CERTYNEO_* variables; logs are JSON lines.

  --accept-new-instance-key   start although instance.key is lost while envelopes need it: a new
                              key is made, signing links already sent stop working and webhook
                              secrets must be recreated (restore the key from a backup instead)`,
  keys: KEYS_USAGE,
  admin: ADMIN_USAGE,
  "migrate-data": MIGRATE_DATA_USAGE,
  migrate: "Usage: certyneo migrate\n\nApplies the database migrations not yet applied, then exits (the server also does it at start).",
  backup: BACKUP_USAGE,
  restore: RESTORE_USAGE,
  doctor: DOCTOR_USAGE,
  verify: VERIFY_USAGE,
  seal: SEAL_USAGE,
  remind: REMIND_USAGE,
  healthcheck: "Usage: certyneo healthcheck\n\nExits 0 when the server on CERTYNEO_PORT answers /healthz (a container's HEALTHCHECK).",
  licenses: "Usage: certyneo licenses\n\nPrints the license of every third-party package bundled into this executable (code, fonts, pdf.js,\nSwagger UI), as the packages ship them.",
};

/** The options each command takes; any other `--option` is refused before the command runs (a typo must not pass for a choice). */
export const OPTIONS: Record<string, readonly string[]> = {
  serve: ["--accept-new-instance-key"],
  keys: ["--env", "--name", "--scopes", "--json"],
  admin: ["--email", "--password-stdin", "--json"],
  "migrate-data": ["--to", "--storage"],
  migrate: [],
  backup: ["--json"],
  restore: ["--force", "--json"],
  doctor: ["--smtp", "--json"],
  verify: ["--json"],
  seal: ["--before"],
  remind: ["--invitation"],
  healthcheck: [],
  licenses: [],
};
