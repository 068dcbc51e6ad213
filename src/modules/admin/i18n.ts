import { acceptedLocale, supportedLocale, type Locale } from "../../enums";
import { ar } from "./strings/ar";
import { de } from "./strings/de";
import { el } from "./strings/el";
import { en, type StringKey } from "./strings/en";
import { es } from "./strings/es";
import { fr } from "./strings/fr";
import { it } from "./strings/it";
import { nl } from "./strings/nl";
import { pt } from "./strings/pt";

/** The console's strings, in the signer page's languages (LOCALES); one file per language under strings/. */
export const STRINGS: Record<Locale, Record<StringKey, string>> = { en, fr, de, es, it, pt, nl, el, ar };

export type { StringKey };
export type Lang = Locale;
export type Translate = (key: StringKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const table = STRINGS[lang];
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** ?lang=, else the language picked with the switcher (cookie), else the first supported language of Accept-Language, else English. */
export function pickLang(query: string | null, chosen: string | null | undefined, acceptLanguage: string | null): Lang {
  return supportedLocale(query) ?? supportedLocale(chosen) ?? acceptedLocale(acceptLanguage);
}
