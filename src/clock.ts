/** Time is passed in so tests can move it (rate limits, expiry, retries) without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** An optional time as the API writes it: ISO 8601, or null. */
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** "2024-05-03 14:22:05 UTC": unambiguous in every country, as a court exhibit should be. */
export const formatUtc = (date: Date): string => `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** What a date-time the API takes must be, in its messages. */
export const DATE_TIME_WORDING = "a date and time that exists, written as RFC 3339 has it: 2026-12-31T17:00:00Z";

/** RFC 3339's date-time, its seconds optional, or a date alone (midnight UTC); years as toISOString writes them (±YYYYYY past 9999). */
const DATE_TIME = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-](\d{2}):(\d{2})))?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether `text` names a moment that exists, in the form the API documents. The date-time
 * format the schema checks (Elysia's) is lenient: it took 30 February and moved it to 2 March,
 * and "05/03/2030", read as the 5th of March by its pattern and as May 3 by Date: an expiry
 * must not move silently.
 */
export function isCalendarDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  const [hour, minute, second, offsetHours, offsetMinutes] = [m[4], m[5], m[6], m[7], m[8]].map((v) => Number(v ?? 0));
  return hour! < 24 && minute! < 60 && second! < 60 && offsetHours! < 24 && offsetMinutes! < 60;
}
