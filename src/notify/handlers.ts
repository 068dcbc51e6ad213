import type { Deps } from "../deps";
import type { JobHandler } from "../jobs/runner";

/** Job handlers of the notification outbox, by job kind. */
export function notificationHandlers(_deps: Deps): Record<string, JobHandler> {
  return {};
}

/** Functions the job runner calls on each tick (reminders, expiry). */
export const notificationPeriodic: Array<(deps: Deps) => Promise<void> | void> = [];
