import type { Config } from "../config";
import type { Deps } from "../deps";

/** A deletion with nothing more to do looks again this much later. */
const EVERY_MS = 60_000;

/**
 * A periodic function (the job runner's tick) deleting what is older than `daysOf(config)` days
 * (0: nothing), `batch` rows per call through `remove(deps, before ms)`, which answers how many it
 * deleted: after a full batch the next tick goes on, otherwise the next look is a minute later.
 */
export function periodicDeletion(daysOf: (config: Config) => number, batch: number, remove: (deps: Deps, before: number) => Promise<number>) {
  let next = 0;
  return async (deps: Deps): Promise<number> => {
    const days = daysOf(deps.config);
    const now = deps.clock.now().getTime();
    if (!days || now < next) return 0;
    const deleted = await remove(deps, now - days * 86_400_000);
    next = deleted === batch ? 0 : now + EVERY_MS;
    return deleted;
  };
}
