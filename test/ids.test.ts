import { describe, expect, test } from "bun:test";
import { newId } from "../src/ids";

describe("newId", () => {
  test("sort by creation time, keep the id format, and differ within one millisecond", () => {
    const at = Date.parse("2026-11-30T07:00:00Z");
    const ids = [0, 1, 2, 1_000, 86_400_000].map((ms) => newId("env", at + ms));
    for (const id of ids) expect(id).toMatch(/^env_[0-9a-hjkmnp-tv-z]{20}$/);
    expect([...ids].reverse().sort()).toEqual(ids);
    expect(newId("env", at)).not.toBe(newId("env", at));
    expect(newId("env", at).slice(0, 13)).toBe(newId("env", at).slice(0, 13));
  });
});
