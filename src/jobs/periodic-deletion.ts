import type { Config } from "../config";
import type { Deps } from "../deps";

/** A deletion with nothing more to do looks again this much later. */
const EVERY_MS = 60_000;

/**
 * A periodic function (the job runner's tick) deleting what is older than `cutoff(config, now)`
 * (ms; null: nothing), `batch` rows per call through `remove(deps, before ms)`, which answers how
 * many it deleted: after a full batch the next tick goes on, otherwise the next look is a minute
 * later.
 */
export function periodicDeletion(cutoff: (config: Config, now: number) => number | null, batch: number, remove: (deps: Deps, before: number) => Promise<number>) {
  let next = 0;
  return async (deps: Deps): Promise<number> => {
    const now = deps.clock.now().getTime();
    const before = cutoff(deps.config, now);
    if (before === null || now < next) return 0;
    const deleted = await remove(deps, before);
    next = deleted >= batch ? 0 : now + EVERY_MS;
    return deleted;
  };
}

/** The cutoff of what is kept `daysOf(config)` days (0: kept for ever). */
export const keptForDays = (daysOf: (config: Config) => number) => (config: Config, now: number) => {
  const days = daysOf(config);
  return days ? now - days * 86_400_000 : null;
};
