import type { CreatedWebhook, DeletedWebhook, Operations, Webhook, WebhookCreate, WebhookDelivery, WebhookUpdate } from "../generated.js";
import { paginate } from "../pagination.js";
import type { RequestOptions, Transport } from "../transport.js";

export type WebhookListQuery = Operations["GET /api/v1/webhooks"]["query"];
export type DeliveryListQuery = Operations["GET /api/v1/webhooks/{id}/deliveries"]["query"];

/** Endpoints that receive signed event notifications. */
export class Webhooks {
  constructor(private readonly http: Transport) {}

  /** Registers an endpoint; the answer's `secret` is shown this once. */
  create(body: WebhookCreate, options?: RequestOptions): Promise<CreatedWebhook> {
    return this.http.json("POST /api/v1/webhooks", { ...options, body });
  }

  get(id: string, options?: RequestOptions): Promise<Webhook> {
    return this.http.json("GET /api/v1/webhooks/{id}", { ...options, path: { id } });
  }

  /** Changes an endpoint; `{ enabled: true }` re-enables a disabled one. */
  update(id: string, body: WebhookUpdate, options?: RequestOptions): Promise<Webhook> {
    return this.http.json("PATCH /api/v1/webhooks/{id}", { ...options, path: { id }, body });
  }

  list(query: WebhookListQuery = {}, options?: RequestOptions): AsyncGenerator<Webhook, void, undefined> {
    return paginate((startingAfter) => this.http.json("GET /api/v1/webhooks", { ...options, query: { ...query, startingAfter } }), query.startingAfter);
  }

  delete(id: string, options?: RequestOptions): Promise<DeletedWebhook> {
    return this.http.json("DELETE /api/v1/webhooks/{id}", { ...options, path: { id } });
  }

  /** An endpoint's recent deliveries with their attempts, newest first. */
  deliveries(id: string, query: DeliveryListQuery = {}, options?: RequestOptions): AsyncGenerator<WebhookDelivery, void, undefined> {
    return paginate((startingAfter) => this.http.json("GET /api/v1/webhooks/{id}/deliveries", { ...options, path: { id }, query: { ...query, startingAfter } }), query.startingAfter);
  }

  /** Sends a delivery's event again now. */
  resend(id: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.http.json("POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/resend", { ...options, path: { id, deliveryId } });
  }
}
