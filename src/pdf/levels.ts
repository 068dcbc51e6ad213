/** PAdES baseline levels (ETSI EN 319 142-1), from a bare signature to archival time-stamps. */
export const PADES_LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"] as const;
export type PadesLevel = (typeof PADES_LEVELS)[number];

/** `level` reaches at least `floor`. */
export const atLeast = (level: PadesLevel, floor: PadesLevel) => PADES_LEVELS.indexOf(level) >= PADES_LEVELS.indexOf(floor);
