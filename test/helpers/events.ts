import type { Deps } from "../../src/deps";
import { createWebhook } from "../../src/modules/webhooks/service";
import type { Environment } from "../../src/store/schema";

/**
 * An endpoint subscribed to every event of `environment`: events are recorded only when one
 * subscribes (modules/webhooks/events.ts). Its host never resolves (.invalid), so its
 * deliveries fail and are retried later, out of the tests' way; tests read the stored events.
 */
export const subscribeToAllEvents = (deps: Deps, environment: Environment = "test") =>
  createWebhook(deps, environment, { url: "https://events.invalid/in", events: ["*"] });
