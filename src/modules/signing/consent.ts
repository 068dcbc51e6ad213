/**
 * What the signer agreed to: the consent text the signing page showed, in the page's language,
 * recorded in the audit trail with its version and SHA-256 so that the wording can be proved later.
 */
import type { Locale, RecipientRole } from "../../enums";
import { sha256Hex } from "../../ids";
import { CONSENT_TEXTS, CONSENT_VERSION } from "./page/consent-texts.js";

export interface ConsentRecord {
  version: number;
  locale: Locale;
  text: string;
  sha256: string;
}

export function consentRecord(role: RecipientRole, locale: Locale | undefined): ConsentRecord {
  const language = locale ?? "en";
  const text = CONSENT_TEXTS[language][role === "APPROVER" ? "approve" : "sign"];
  return { version: CONSENT_VERSION, locale: language, text, sha256: sha256Hex(text) };
}
