import type { Db } from "../../store/db";
import { getBranding } from "../branding/service";

/** Who asks for the signatures, as signers see it: the organisation's name, colour and logo (the console's branding settings). */
export interface Organisation {
  name: string;
  /** #rrggbb: the console refuses a colour white text does not read on (4.5:1). */
  colour: string;
  /** Path of the public logo, when the organisation has uploaded one. */
  logoUrl: string | null;
}

export async function organisationOf(db: Db): Promise<Organisation> {
  const b = await getBranding(db);
  return { name: b.organisationName || "Certyneo", colour: b.accentColor, logoUrl: b.logo ? "/branding/logo" : null };
}
