import { Type, type Static } from "@sinclair/typebox";

/** The organisation's branding and sender identity, set in the console (settings key "branding"). */
export const BrandingSchema = Type.Object({
  organisationName: Type.String({ maxLength: 100 }),
  /** #rrggbb, dark enough for white text on it (4.5:1). */
  accentColor: Type.String({ pattern: "^#[0-9a-fA-F]{6}$" }),
  fromName: Type.String({ maxLength: 100 }),
  fromAddress: Type.String({ maxLength: 254 }),
  replyTo: Type.String({ maxLength: 254 }),
  logo: Type.Union([Type.Null(), Type.Object({ sha256: Type.String(), type: Type.Union([Type.Literal("image/png"), Type.Literal("image/svg+xml")]) })]),
});

export type Branding = Static<typeof BrandingSchema>;
