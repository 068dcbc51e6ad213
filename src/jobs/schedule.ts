/**
 * Retry back-off of the outbox: after a failed attempt the job waits the delay of its attempt
 * (10 s, 1 min, 5 min, 30 min, 2 h, 8 h, 24 h) plus up to JITTER of it, so that jobs failing
 * together (an SMTP outage) do not all come back in the same second. After the last delay the
 * job is failed for good.
 */
export const RETRY_DELAYS_MS = [
  10_000,
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  8 * 3600_000,
  24 * 3600_000,
] as const;

/** Fraction of the delay added at random (0..JITTER). */
export const JITTER = 0.1;

/** Attempts a job gets in all: the first one and one per delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * Delay before the next attempt after `attempts` attempts (1-based) failed, or null when the job
 * has used all of them.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number | null {
  if (attempts < 1 || attempts >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_MS[attempts - 1]!;
  return Math.round(base * (1 + JITTER * random()));
}

/** Upper bound of retryDelayMs(attempts), for tests that move a fake clock past a retry. */
export function maxRetryDelayMs(attempts: number): number {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) throw new Error(`no retry after attempt ${attempts}`);
  return Math.ceil(base * (1 + JITTER));
}
