/** Time is passed in so tests can move it (rate limits, expiry, retries) without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** An optional time as the API writes it: ISO 8601, or null. */
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** "2024-05-03 14:22:05 UTC": unambiguous in every country, as a court exhibit should be. */
export const formatUtc = (date: Date): string => `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
