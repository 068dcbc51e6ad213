import type { Deps } from "../../deps";
import { JOB_PAYLOADS } from "../../jobs/payloads";
import { defineJob, type JobDefinitions } from "../../jobs/runner";
import { sendBatchRows } from "./send-batch";

/** "send_batch" {batchId}: the next rows of a bulk send (see send-batch.ts). */
export const batchHandlers = (deps: Deps): JobDefinitions => ({
  send_batch: defineJob(JOB_PAYLOADS.send_batch, async (payload, { jobId }) => sendBatchRows(deps, payload.batchId, jobId)),
});
