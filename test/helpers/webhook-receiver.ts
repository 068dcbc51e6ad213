import { Webhook } from "standardwebhooks";

/** One request the receiver got. */
export interface ReceivedDelivery {
  path: string;
  /** webhook-id header (the event id). */
  id: string;
  headers: Record<string, string>;
  body: string;
  /** The verified payload, or null if verification failed. */
  payload: Record<string, any> | null;
  verifyError: string | null;
  /** Status the receiver answered. */
  status: number;
  /** When it arrived (Date.now()). */
  at: number;
}

export type Responder = (d: ReceivedDelivery, nth: number) => Response | number | Promise<Response | number>;

export interface WebhookReceiver {
  port: number;
  /** URL of a path on the receiver (http://127.0.0.1:port/path). */
  url(path?: string): string;
  /** The secret deliveries to `path` must be signed with (from POST /webhooks). */
  expect(path: string, secret: string): void;
  /** How to answer requests to `path` (default: 204 once verified). `nth` counts requests to that path from 1. */
  respond(path: string, fn: Responder): void;
  /** Every request received, in arrival order. */
  received: ReceivedDelivery[];
  /** Requests verified and answered 2xx. */
  accepted(path?: string): ReceivedDelivery[];
  waitFor(count: number, opts?: { path?: string; timeoutMs?: number; accepted?: boolean }): Promise<ReceivedDelivery[]>;
  stop(): Promise<void>;
}

/**
 * A real HTTP receiver on a loopback port. Each delivery is verified with the `standardwebhooks`
 * package (the reference implementation integrators use); an unverifiable one is answered 400.
 */
export function startWebhookReceiver(): WebhookReceiver {
  const secrets = new Map<string, Webhook>();
  const responders = new Map<string, Responder>();
  const counts = new Map<string, number>();
  const received: ReceivedDelivery[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      const headers = Object.fromEntries(req.headers.entries());
      const d: ReceivedDelivery = { path, id: headers["webhook-id"] ?? "", headers, body, payload: null, verifyError: null, status: 0, at: Date.now() };
      const wh = secrets.get(path);
      if (!wh) d.verifyError = `no secret registered for ${path}`;
      else {
        try {
          d.payload = wh.verify(body, headers) as Record<string, any>;
        } catch (e) {
          d.verifyError = String((e as Error).message);
        }
      }
      const nth = (counts.get(path) ?? 0) + 1;
      counts.set(path, nth);
      received.push(d);
      let res: Response;
      if (d.verifyError) res = new Response(`signature: ${d.verifyError}`, { status: 400 });
      else {
        const r = await (responders.get(path) ?? (() => 204))(d, nth);
        res = typeof r === "number" ? new Response(r === 204 ? null : `status ${r}`, { status: r }) : r;
      }
      d.status = res.status;
      return res;
    },
  });
  const accepted = (path?: string) => received.filter((d) => (!path || d.path === path) && !d.verifyError && d.status >= 200 && d.status < 300);
  return {
    port: server.port!,
    url: (path = "/hook") => `http://127.0.0.1:${server.port}${path}`,
    expect: (path, secret) => void secrets.set(path, new Webhook(secret)),
    respond: (path, fn) => void responders.set(path, fn),
    received,
    accepted,
    async waitFor(count, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 5000);
      const pick = () => (opts.accepted === false ? received.filter((d) => !opts.path || d.path === opts.path) : accepted(opts.path));
      while (pick().length < count) {
        if (Date.now() > deadline) throw new Error(`webhook receiver: ${pick().length} of ${count} deliveries after ${opts.timeoutMs ?? 5000} ms`);
        await Bun.sleep(5);
      }
      return pick();
    },
    async stop() {
      await server.stop(true);
    },
  };
}
