import { expect } from "bun:test";
import { LOCALES } from "../../src/enums";

/** Every language of the server (LOCALES) has every English string and no other, not empty, with the same {placeholders}. */
export function expectEveryLocaleComplete(tables: Record<string, Record<string, string>>) {
  const en = tables.en!;
  const holes = (x: string) => (x.match(/\{\w+\}/g) ?? []).sort();
  expect(Object.keys(tables).sort()).toEqual([...LOCALES].sort());
  for (const locale of LOCALES) {
    const table = tables[locale]!;
    expect(Object.keys(table).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en)) {
      expect(table[k]!.trim().length, `${locale}.${k}`).toBeGreaterThan(0);
      expect({ k, [locale]: holes(table[k]!) }).toEqual({ k, [locale]: holes(en[k]!) });
    }
  }
}
