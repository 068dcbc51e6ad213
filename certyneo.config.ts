/**
 * Certyneo configuration: the embedded defaults.
 *
 * Every value can be overridden by an environment variable named
 * CERTYNEO_ + the path in upper snake case, e.g. `rateLimit.burst` ->
 * CERTYNEO_RATE_LIMIT_BURST, `seal.p12Path` -> CERTYNEO_SEAL_P12_PATH.
 * Lists are comma-separated. See docs/configuration.md.
 */
export default {
  /** TCP port of the HTTP server. */
  port: 3000,
  /** Interface to listen on. Loopback by default; set 0.0.0.0 to expose it (the Docker image does). */
  host: "127.0.0.1",
  /** Public URL used in links sent to signers (signUrl). Empty: http://localhost:{port}. */
  baseUrl: "",
  /** SQLite database, PDFs, outbox and development certificate live here. */
  dataDir: "./data",
  /** Largest accepted PDF upload, in MiB. */
  maxUploadMb: 25,
  /** Take the client IP from X-Forwarded-For (only behind a reverse proxy you control). */
  trustProxy: false,
  /** debug | info | warn | error */
  logLevel: "info",
  rateLimit: {
    enabled: true,
    /** Bucket size: requests a key may make at once. */
    burst: 200,
    /** Sustained rate: tokens added per minute. */
    perMinute: 100,
  },
  idempotency: {
    /** How long a completed response is replayed for the same Idempotency-Key. */
    ttlHours: 24,
  },
  smtp: {
    /** Empty: e-mails are written to {dataDir}/outbox as .eml files and logged. */
    host: "",
    port: 587,
    /** true for implicit TLS (port 465); otherwise STARTTLS when offered. */
    secure: false,
    user: "",
    password: "",
    from: "Certyneo <no-reply@localhost>",
  },
  branding: {
    /** The organisation signers see on the signing page, in e-mails and on the certificate. Empty: "Certyneo". */
    name: "",
    /** A PNG, JPEG or SVG logo shown beside the name on the signing page (at most 512 KiB). Empty: none. */
    logoPath: "",
    /** Accent colour of the signing page and the e-mails, #rrggbb (darkened if needed so white text on it stays readable). Empty: Certyneo blue. */
    colour: "",
  },
  notifications: {
    /** The completion e-mail carries the sealed PDF when it is at most this many MiB (0: never; the link is always there). */
    attachSignedMaxMb: 10,
  },
  sms: {
    /** HTTP gateway for SMS invitations; empty disables SMS. */
    gatewayUrl: "",
    /** JSON body template; {to} and {text} are replaced (JSON-escaped). */
    bodyTemplate: '{"to":"{to}","text":"{text}"}',
    /** Optional Authorization header value sent to the gateway. */
    authorization: "",
    /** A gateway that has not answered within this long counts as a failure (retried). */
    timeoutMs: 10_000,
  },
  seal: {
    /** PKCS#12 file with the sealing key and chain. Empty: a development certificate is generated in dataDir. */
    p12Path: "",
    p12Password: "",
    /** RFC 3161 time-stamp authority; empty: no time-stamp (PAdES B-B). */
    tsaUrl: "",
    reason: "Sealed by Certyneo",
    location: "",
  },
  webhooks: {
    /** CIDRs or host names deliveries may reach despite being loopback/private (e.g. 10.0.0.0/8,hr.internal). */
    allowedNetworks: [] as string[],
    timeoutMs: 10_000,
    /** Deliveries running at once, across all endpoints. */
    concurrency: 8,
    /** An endpoint failing continuously for this long is disabled. */
    disableAfterHours: 72,
  },
  jobs: {
    /** How often the outbox worker looks for due work. */
    pollMs: 1000,
    /** Jobs (e-mails, SMS) running at once. */
    concurrency: 4,
  },
};
