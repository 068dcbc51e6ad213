import type { Clock } from "./clock";
import type { Config } from "./config";
import type { Logger } from "./log";
import type { SealingKey } from "./modules/sealing/key";
import type { Mailer } from "./modules/notifications/mailer";
import type { PdfWorkers } from "./pdf-worker/pool";
import type { TrustServices } from "./modules/sealing/trust-services";
import type { Db } from "./store/db";
import type { FileStore } from "./store/files";

/** Everything the domain needs from the outside world, passed in (never imported globally). */
export interface Deps {
  config: Config;
  db: Db;
  files: FileStore;
  clock: Clock;
  log: Logger;
  /** SMTP, or .eml files in {dataDir}/outbox when no SMTP server is configured. */
  mailer: Mailer;
  /** 32 random bytes from {dataDir}/instance.key: signing tokens are HMACs under it. */
  secret: Uint8Array;
  /** The sealing key (PKCS#12 from the config, or the generated development one), loaded once. */
  sealingKey: () => Promise<SealingKey>;
  /** The start's check of the sealing key: recalled when these very inputs passed it before (key-check.ts), else the full load. */
  checkSealingKey: () => Promise<void>;
  /** Worker threads for PDF parsing, checking and stamping, bounded in time and inflated bytes. */
  pdf: PdfWorkers;
  /** Time-stamp authorities, revocation fetching (cached) and trust anchors, for sealing and verifying. */
  trust: TrustServices;
}
