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
  database: {
    /**
     * Empty: SQLite in the data directory. postgres://user:pass@host:5432/db: PostgreSQL, shared by
     * any number of nodes (with CERTYNEO_STORAGE_URL for the files); see docs/scaling.md.
     */
    url: "",
    /** Connections each node keeps open to PostgreSQL: its requests', and one per seal running (its lock). */
    poolSize: 16,
  },
  /**
   * Where documents, drawn signatures and sealed files live, with the instance secret and the
   * development certificate. Empty: {dataDir}/files and the data directory.
   * s3://bucket/prefix: an S3-compatible bucket (AWS, MinIO, ...); see docs/scaling.md.
   */
  storage: {
    url: "",
    /** S3 endpoint, e.g. http://minio:9000; also read from S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_ENDPOINT. Empty: AWS. */
    endpoint: "",
    /** Also S3_REGION, AWS_REGION, AWS_DEFAULT_REGION. Empty: us-east-1. */
    region: "",
    /** Also S3_ACCESS_KEY_ID, AWS_ACCESS_KEY_ID. */
    accessKeyId: "",
    /** Also S3_SECRET_ACCESS_KEY, AWS_SECRET_ACCESS_KEY. */
    secretAccessKey: "",
    /** Temporary credentials: also S3_SESSION_TOKEN, AWS_SESSION_TOKEN. */
    sessionToken: "",
  },
  /** Largest accepted PDF upload, in MiB. */
  maxUploadMb: 25,
  /** Take the client IP from X-Forwarded-For's last entry, the one the proxy added (only behind a reverse proxy you control). */
  trustProxy: false,
  /** debug | info | warn | error */
  logLevel: "info",
  rateLimit: {
    enabled: true,
    /** Bucket size: requests a key may make at once. */
    burst: 200,
    /** Sustained rate: tokens added per minute. */
    perMinute: 100,
    /** Requests without an API key (signing API, signer page, docs), per client IP (IPv6: per /64): bucket size... */
    anonymousBurst: 300,
    /** ... and sustained rate per minute. A failed API-key check counts here too. */
    anonymousPerMinute: 300,
    /** Requests per signing token (signing API and signer page): bucket size and rate per minute. */
    tokenBurst: 60,
    tokenPerMinute: 30,
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
    /**
     * PEM file with the sealing certificate, then its issuers. Used with a PKCS#11 key; empty:
     * the certificate (and any issuers) stored on the token next to the key.
     */
    certificatePath: "",
    /** A sealing key kept in an HSM or token (PKCS#11): set module, tokenLabel, keyLabel and pin or pinFile. */
    pkcs11: {
      /** Path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. Empty: no PKCS#11 key. */
      module: "",
      tokenLabel: "",
      pin: "",
      /** File holding the PIN (first line), e.g. a container secret; used when pin is empty. */
      pinFile: "",
      /** CKA_LABEL of the private key. */
      keyLabel: "",
    },
    /** RSA keys: sign with RSASSA-PSS instead of PKCS#1 v1.5. */
    rsaPss: false,
    /**
     * PAdES level: B-B, B-T (signature time-stamp), B-LT (+ DSS: chains, OCSP/CRL), B-LTA
     * (+ document time-stamp). Empty: B-LTA when a time-stamp authority is configured, else B-B.
     */
    level: "",
    /** OCSP responders and CRL distribution points get this long to answer. */
    revocationTimeoutMs: 10_000,
    /** Archival renewal: sealed PDFs whose last time-stamp certificate expires within this many days get a new one (daily, and `certyneo seal extend`). */
    extendBeforeDays: 90,
    /** RFC 3161 time-stamp authorities (PAdES B-T and above), tried in order. */
    tsa: {
      /** Comma-separated list; CERTYNEO_SEAL_TSA_URL is accepted too. Empty: no time-stamp. */
      urls: [] as string[],
      /** Each authority gets this long to answer before the next one is tried. */
      timeoutMs: 10_000,
      /** HTTP basic authentication, sent to every authority of the list. */
      username: "",
      password: "",
      /** An extra header for authorities that want an API key, e.g. "X-Api-Key: secret". */
      header: "",
    },
    reason: "Sealed by Certyneo",
    location: "",
  },
  verify: {
    /**
     * Trust anchors for verification: a PEM bundle of root certificates, as a file path or the
     * PEM text itself. Empty: no signature is reported as trusted.
     */
    trustAnchors: "",
    /** The public page /verify (no key: upload a PDF, read the report; nothing stored). */
    publicPage: true,
    /** Checks a minute per client address on /verify. */
    publicPerMinute: 10,
  },
  webhooks: {
    /** CIDRs or host names deliveries may reach despite being loopback/private (e.g. 10.0.0.0/8,hr.internal). */
    allowedNetworks: [] as string[],
    timeoutMs: 10_000,
    /** Deliveries running at once, across all endpoints. */
    concurrency: 8,
    /** An endpoint failing continuously for this long is disabled. */
    disableAfterHours: 72,
    /**
     * Events are deleted this many days after they were made, with their deliveries and attempts,
     * once none of their deliveries is pending (0: kept). Each holds the envelope as it was.
     */
    keepDays: 30,
  },
  pdf: {
    /** Worker threads for PDF parsing, checking and stamping (off the event loop). */
    workers: 2,
    /**
     * The PDF threads' nice value (1-19, lower priority than the HTTP thread's 0): while large
     * PDFs are sealed, requests are answered first. 0 leaves them at the server's priority.
     * Linux only; elsewhere ignored.
     */
    workerNice: 10,
    /** A PDF task running longer than this is stopped and the file refused (422 pdf_too_complex). */
    timeoutSeconds: 30,
    /** Largest size one compressed stream of a PDF may expand to (zip-bomb bound). */
    maxInflatedStreamMb: 32,
    /** Largest size all the streams a PDF task decodes may expand to, together. */
    maxInflatedTotalMb: 64,
  },
  jobs: {
    /** How often the outbox worker looks for due work. */
    pollMs: 1000,
    /**
     * Jobs and webhook deliveries due now start as soon as the change that made them commits,
     * instead of at the next poll. Off: only the poll (and drain) picks them up.
     */
    wakeOnEnqueue: true,
    /**
     * Jobs (seals, e-mails, SMS) running at once. They mostly wait (a PDF thread, a disk, an SMTP
     * server): at 4, a busy 2-core node fell seconds behind (docs/decisions.md, "Eight jobs at once").
     */
    concurrency: 8,
    /**
     * How long a job (and a webhook delivery beyond its request timeout) stays taken by the node
     * running it; renewed while it runs. A node that dies has its work taken over after this.
     */
    leaseSeconds: 60,
    /**
     * Finished jobs are deleted this many days after they ran (0: kept). Nothing reads them once
     * done (delivery status and history are in the audit trail); a busy server makes several
     * per envelope.
     */
    keepDoneDays: 30,
  },
  retention: {
    /** Purge envelopes ended more than this many days ago, with their files, keeping a tombstone. 0: never (the default). */
    days: 0,
  },
  admin: {
    /** A console session unused for this long ends. */
    sessionIdleMinutes: 30,
    /** A console session ends this long after login, however busy. */
    sessionMaxHours: 12,
    /** Failed logins for one e-mail before it is locked out. */
    lockoutAfter: 5,
    /** First lockout; each further failure doubles it, up to lockoutMaxMinutes. */
    lockoutSeconds: 30,
    lockoutMaxMinutes: 60,
  },
};
