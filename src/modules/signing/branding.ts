import type { Config } from "../../config";
import { AppError } from "../../errors";

/** Who asks for the signatures, as signers see it: the organisation's name, colour and logo. */
export interface Organisation {
  name: string;
  /** #rrggbb, dark enough that white text on it reads (WCAG AA, 4.5:1). */
  colour: string;
  hasLogo: boolean;
}

const CERTYNEO_BLUE = "#1d4ed8";

const channel = (v: number) => {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const luminance = (rgb: number[]) => 0.2126 * channel(rgb[0]!) + 0.7152 * channel(rgb[1]!) + 0.0722 * channel(rgb[2]!);
const contrastWithWhite = (rgb: number[]) => 1.05 / (luminance(rgb) + 0.05);

/** The colour, darkened step by step until white text on it has a 4.5:1 contrast: a pale brand colour stays usable for buttons. */
export function readableColour(hex: string): string {
  let rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  while (contrastWithWhite(rgb) < 4.5) rgb = rgb.map((v) => Math.floor(v * 0.92));
  return "#" + rgb.map((v) => v.toString(16).padStart(2, "0")).join("");
}

export function organisationOf(config: Pick<Config, "branding">): Organisation {
  const { name, colour, logoPath } = config.branding;
  return { name: name.trim() || "Certyneo", colour: readableColour(colour || CERTYNEO_BLUE), hasLogo: !!logoPath };
}

const LOGO_TYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", svg: "image/svg+xml" };
const MAX_LOGO_BYTES = 512 * 1024;
let logo: Promise<{ bytes: Uint8Array; type: string }> | null = null;
let logoFrom = "";

/** The configured logo file, read once (the config names it; a missing or oversized file is a 404, logged by the caller). */
export function brandingLogo(config: Pick<Config, "branding">): Promise<{ bytes: Uint8Array; type: string }> {
  const path = config.branding.logoPath;
  if (!path) return Promise.reject(new AppError("not_found", "No logo is configured"));
  if (!logo || logoFrom !== path) {
    logoFrom = path;
    logo = Bun.file(path).bytes().then((bytes) => {
      if (bytes.length > MAX_LOGO_BYTES) throw new AppError("not_found", `The logo ${path} is larger than 512 KiB`);
      return { bytes, type: LOGO_TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream" };
    }).catch((e) => {
      logo = null;
      throw e instanceof AppError ? e : new AppError("not_found", `The logo ${path} cannot be read`);
    });
  }
  return logo;
}
