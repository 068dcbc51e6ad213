import { AppError } from "../errors";
import { isDatabaseUnreachable, isSqliteBusy, isStorageUnreachable } from "../store/outage";
import { RETRYABLE, sqlState } from "../store/transaction";

/**
 * The system failures a client should hear about in their own words rather than as a 500: a
 * full disk (a write is refused, reads go on), a database another process keeps locked, a
 * PostgreSQL or an S3 bucket that cannot be reached, and PostgreSQL conflicts that went on
 * through every retry of a transaction.
 */
export function systemError(e: unknown): AppError | null {
  const code = String((e as { code?: unknown })?.code ?? "");
  const text = String((e as Error)?.message ?? "");
  if (isStorageUnreachable(e))
    return new AppError("storage_unavailable", "The file storage (the S3 bucket) cannot be reached; retry in a few seconds", { headers: { "retry-after": "5" } });
  if (isDatabaseUnreachable(e))
    return new AppError("database_unavailable", "The database cannot be reached; retry in a few seconds. A write whose connection was lost as it committed may have been saved: send it again with the same Idempotency-Key", {
      headers: { "retry-after": "5" },
    });
  if (code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL" || /database or disk is full/.test(text))
    return new AppError("insufficient_storage", "The server's disk is full: nothing was saved. Reading still works; retry once an administrator has made space");
  if (isSqliteBusy(e))
    return new AppError("database_busy", "The database is locked by another process (a backup, a maintenance command); retry in a few seconds", {
      headers: { "retry-after": "5" },
    });
  if (RETRYABLE.has(sqlState(e) ?? ""))
    return new AppError("database_busy", "The database is busy with conflicting changes from other requests; nothing was saved; retry in a moment", {
      headers: { "retry-after": "1" },
    });
  return null;
}
