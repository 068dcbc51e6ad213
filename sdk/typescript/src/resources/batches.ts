import type { Batch } from "../generated.js";
import type { RequestOptions, Transport } from "../transport.js";

/** Bulk sends (`templates.bulkSend`) and their progress. */
export class Batches {
  constructor(private readonly http: Transport) {}

  /** The batch's progress: `status` (queued, running, completed), counts, each row's envelope or problems. */
  get(id: string, options?: RequestOptions): Promise<Batch> {
    return this.http.json("GET /api/v1/batches/{id}", { ...options, path: { id } });
  }
}
