/** Time is passed in so tests can move it (rate limits, expiry, retries) without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
