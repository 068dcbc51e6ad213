import { eq, sql } from "drizzle-orm";
import type { Config } from "../../config";
import type { Deps } from "../../deps";
import { AppError, invalid, type FieldError } from "../../errors";
import { fits } from "../../schema-check";
import type { Db } from "../../store/db";
import { preparedPerDb } from "../../store/prepared";
import { transaction } from "../../store/transaction";
import { settings } from "../../store/schema";
import { recordAction, type AdminActor } from "../admin/actions";
import type { Sender } from "../notifications/mailer";
import { BrandingSchema, type Branding } from "./model";

const KEY = "branding";
export const LOGO_MAX_BYTES = 256 * 1024;
export const DEFAULT_BRANDING: Branding = { organisationName: "", accentColor: "#1d4ed8", fromName: "", fromAddress: "", replyTo: "", logo: null };

const EMAIL = /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/;
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// Read for every message and signing page.
const brandingRow = preparedPerDb((db) => db.select({ value: settings.value }).from(settings).where(eq(settings.key, sql.placeholder("key"))).prepare());

export async function getBranding(db: Db): Promise<Branding> {
  const [row] = await brandingRow(db).execute({ key: KEY });
  return row && fits(BrandingSchema, row.value) ? row.value : DEFAULT_BRANDING;
}

/** WCAG contrast ratio of a #rrggbb colour against white. */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return 1.05 / (l + 0.05);
}

/** A PNG, or an SVG without scripts, event handlers or external references; else why not. */
function logoType(bytes: Uint8Array): NonNullable<Branding["logo"]>["type"] {
  if (PNG.every((b, i) => bytes[i] === b)) return "image/png";
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text)) throw invalid([{ pointer: "/logo", message: "must be a PNG or an SVG file" }], "The logo must be a PNG or an SVG file");
  // Styles count too: url() outside the file and @import would fetch from elsewhere.
  if (/<script|\son\w+\s*=|javascript:|<foreignObject|(?:href|src)\s*=\s*["']\s*(?!#|data:image\/)|url\s*\(\s*["']?\s*(?!#|data:image\/)|@import/i.test(text))
    throw invalid([{ pointer: "/logo", message: "an SVG with scripts, event handlers or external references is refused" }], "The SVG logo holds scripts or external references");
  return "image/svg+xml";
}

export interface BrandingInput {
  organisationName: string;
  accentColor: string;
  fromName: string;
  fromAddress: string;
  replyTo: string;
  /** A new logo, or null to remove it, or undefined to keep the current one. */
  logo?: Uint8Array | null;
}

/** Validates and saves the branding (the logo into the file store); an admin action. */
export async function saveBranding(deps: Pick<Deps, "db" | "clock" | "files">, who: AdminActor, input: BrandingInput): Promise<Branding> {
  const errors: FieldError[] = [];
  const oneLine = (pointer: string, v: string) => /[\r\n]/.test(v) && errors.push({ pointer, message: "must be one line" });
  const text = { organisationName: input.organisationName.trim(), fromName: input.fromName.trim(), fromAddress: input.fromAddress.trim(), replyTo: input.replyTo.trim() };
  for (const [k, v] of Object.entries(text)) {
    oneLine(`/${k}`, v);
    // Said here, field by field: the schema check below only says that something is wrong.
    const max = BrandingSchema.properties[k as keyof typeof text].maxLength!;
    if (v.length > max) errors.push({ pointer: `/${k}`, message: `at most ${max} characters` });
  }
  if (!/^#[0-9a-fA-F]{6}$/.test(input.accentColor)) errors.push({ pointer: "/accentColor", message: "must be a colour as #rrggbb" });
  else if (contrastWithWhite(input.accentColor) < 4.5)
    errors.push({ pointer: "/accentColor", message: `too light: white text on it has a contrast of ${contrastWithWhite(input.accentColor).toFixed(1)}:1, under 4.5:1` });
  for (const k of ["fromAddress", "replyTo"] as const) if (text[k] && !EMAIL.test(text[k])) errors.push({ pointer: `/${k}`, message: "not an e-mail address" });
  if (input.logo && input.logo.length > LOGO_MAX_BYTES) errors.push({ pointer: "/logo", message: `larger than ${LOGO_MAX_BYTES / 1024} KB` });
  if (errors.length) throw invalid(errors, errors.map((e) => `${e.pointer.slice(1)}: ${e.message}`).join("; "));
  const current = await getBranding(deps.db);
  let logo = current.logo;
  if (input.logo === null) logo = null;
  else if (input.logo) logo = { type: logoType(input.logo), sha256: await deps.files.put(input.logo) };
  const next: Branding = { ...text, accentColor: input.accentColor.toLowerCase(), logo };
  if (!fits(BrandingSchema, next)) throw new AppError("validation_failed", "The branding is not valid");
  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
    await tx.insert(settings).values({ key: KEY, value: next, updatedAt: now, updatedBy: who.actor })
      .onConflictDoUpdate({ target: settings.key, set: { value: next, updatedAt: now, updatedBy: who.actor } });
    await recordAction(tx, deps.clock, who, { action: "settings.branding_saved", data: { ...next, logo: next.logo?.sha256 ?? null } });
  });
  return next;
}

/**
 * Who e-mails come from: the branding's From address and name (the organisation's name when no
 * From name is set) and its reply-to; smtp.from (CERTYNEO_SMTP_FROM) when none is set.
 */
export async function senderIdentity(db: Db, config: Config): Promise<Awaited<ReturnType<Sender>>> {
  const b = await getBranding(db);
  const name = b.fromName || b.organisationName;
  const address = b.fromAddress || /<([^>]+)>/.exec(config.smtp.from)?.[1] || config.smtp.from;
  const from = name || b.fromAddress ? { name: name || "", address } : config.smtp.from;
  return b.replyTo ? { from, replyTo: b.replyTo } : { from };
}
