import type { Clock } from "../../src/clock";

/** A clock tests move by hand: rate limits, expiry and retries without sleeping. */
export function fakeClock(start = new Date("2026-01-15T09:00:00Z")) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
    set(d: Date) {
      now = d.getTime();
    },
  } satisfies Clock & Record<string, unknown>;
}

export type FakeClock = ReturnType<typeof fakeClock>;
