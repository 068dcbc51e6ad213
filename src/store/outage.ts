import type { Logger } from "../log";

/** SQLite's answer when another connection holds the lock asked for. */
export const isSqliteBusy = (e: unknown) => {
  const code = String((e as { code?: unknown })?.code ?? "");
  return code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || /database is locked/.test(String((e as Error)?.message ?? ""));
};

/** Bun's codes for a PostgreSQL connection that could not be made or was lost. */
const CONNECTION_LOST = new Set(["ERR_POSTGRES_CONNECTION_CLOSED", "ERR_POSTGRES_CONNECTION_FAILED", "ERR_POSTGRES_CONNECTION_REFUSED", "ERR_POSTGRES_CONNECTION_TIMEOUT"]);
/** PostgreSQL's own: a connection exception (class 08), the server shutting down or starting (57P01-57P03), no connection slot left (53300). */
const unreachableState = (state: string) => state.startsWith("08") || state === "57P01" || state === "57P02" || state === "57P03" || state === "53300";

/** Whether `e`, or an error it wraps (drizzle's "Failed query"), says PostgreSQL could not be reached. */
export function isDatabaseUnreachable(e: unknown): boolean {
  for (let c: any = e; c; c = c.cause) if (CONNECTION_LOST.has(String(c.code ?? "")) || unreachableState(String(c.errno ?? ""))) return true;
  return false;
}

/** Bun's codes for a connection that could not be made or was lost (its S3 client's among them). */
const NETWORK_DOWN = new Set([
  "ConnectionRefused", "ConnectionClosed", "ConnectionReset", "ConnectionResetByPeer", "ConnectionTimedOut", "FailedToOpenSocket",
  "UnableToConnect", "HostUnreachable", "NetworkUnreachable", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH",
]);
/** What an S3 service answers when it is the one failing (5xx), as opposed to refusing the request. */
const S3_SERVER_FAILING = new Set(["InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"]);

/** Whether `e` says the bucket of an S3 file store could not be reached or is failing itself. */
export function isStorageUnreachable(e: unknown): boolean {
  const err = e as { name?: unknown; code?: unknown } | null;
  return err?.name === "S3Error" && (NETWORK_DOWN.has(String(err.code)) || S3_SERVER_FAILING.has(String(err.code)));
}

/** Why the database cannot be used now, when that is what `e` says; null for any other error. */
export const outageOf = (e: unknown): string | null =>
  isSqliteBusy(e) ? "locked by another process" : isDatabaseUnreachable(e) ? "unreachable" : null;

/**
 * For a background loop that keeps trying: says once that the database cannot be used and once
 * that it can again (an error per failed round would fill the log for as long as it lasts).
 */
export function outageNotice(log: Logger, who: string) {
  let since: number | null = null;
  return {
    /** True, and said when it starts, when `e` is an outage; false for any other error. */
    failed(e: unknown): boolean {
      const why = outageOf(e);
      if (!why) return false;
      if (since === null) {
        since = Date.now();
        log.warn(`database ${why}: ${who} waits for it`, { error: String((e as Error)?.message ?? e) });
      }
      return true;
    },
    /** A round went through. */
    ok() {
      if (since === null) return;
      log.info(`database usable again: ${who} goes on`, { waitedMs: Date.now() - since });
      since = null;
    },
    get waiting() {
      return since !== null;
    },
  };
}
