/**
 * Retry back-off, shared by the job outbox and the webhook dispatcher: after a failed attempt the
 * work waits the delay of its attempt (10 s, 1 min, 5 min, 30 min, 2 h, 8 h, 24 h) plus a random
 * share of it (the jitter), so that work failing together (an SMTP outage, an endpoint down) does
 * not all come back in the same second. After the last delay it is failed for good.
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

/** Default fraction of the delay added at random (0..JITTER): the job outbox's. */
export const JITTER = 0.1;

/** Attempts in all: the first one and one per delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

export interface RetryOptions {
  /** Fraction of the delay added at random (default JITTER). */
  jitter?: number;
  /** Random number in [0, 1) (tests pass () => 0). */
  random?: () => number;
}

/**
 * Delay before the next attempt after `attempts` attempts (1-based) failed, or null when they
 * have all been used.
 */
export function retryDelayMs(attempts: number, { jitter = JITTER, random = Math.random }: RetryOptions = {}): number | null {
  if (attempts < 1 || attempts >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_MS[attempts - 1]!;
  return Math.round(base * (1 + jitter * random()));
}

/** Upper bound of retryDelayMs(attempts), for tests that move a fake clock past a retry. */
export function maxRetryDelayMs(attempts: number, jitter = JITTER): number {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) throw new Error(`no retry after attempt ${attempts}`);
  return Math.ceil(base * (1 + jitter));
}
