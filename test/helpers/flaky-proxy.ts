/**
 * A loopback HTTP proxy in front of a real test server that misbehaves on cue, to see what a
 * client does when an answer is lost: it can refuse a request without forwarding it, forward
 * it and then hide the server's answer behind an error, or never answer.
 */
export interface FaultRule {
  method: string;
  /** Matched against the request path. */
  path: RegExp;
  /**
   * "before": answer `status` without forwarding; "after": forward, then answer `status` instead;
   * "hang": never answer; "trickle": forward, then send the server's answer one byte every 200 ms.
   */
  when: "before" | "after" | "hang" | "trickle";
  status?: number;
  /** How many matching requests to spoil (default 1). */
  times?: number;
}

export interface ProxiedExchange {
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** The server's status; null when the request was not forwarded. */
  upstreamStatus: number | null;
  /** Whether the server answered from its idempotency store. */
  replayed: boolean;
  /** What the client got. */
  status: number | null;
}

export function startFlakyProxy(target: string) {
  let rules: (FaultRule & { left: number })[] = [];
  const exchanges: ProxiedExchange[] = [];
  const hanging = new Set<() => void>();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const rule = rules.find((r) => r.left > 0 && r.method === req.method && r.path.test(url.pathname));
      if (rule) rule.left--;
      const exchange: ProxiedExchange = { method: req.method, path: url.pathname, idempotencyKey: req.headers.get("idempotency-key"), upstreamStatus: null, replayed: false, status: null };
      exchanges.push(exchange);
      if (rule?.when === "hang") return new Promise<Response>((resolve) => hanging.add(() => resolve(new Response(null, { status: 504 }))));
      if (rule?.when === "before") return new Response(`proxy refused (${rule.status})`, { status: (exchange.status = rule.status ?? 502) });
      const headers = new Headers(req.headers);
      headers.delete("host");
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      const upstream = await fetch(target + url.pathname + url.search, { method: req.method, headers, body });
      exchange.upstreamStatus = upstream.status;
      exchange.replayed = upstream.headers.get("idempotent-replayed") === "true";
      if (rule?.when === "after") {
        await upstream.arrayBuffer();
        return new Response(`proxy lost the answer (${rule.status})`, { status: (exchange.status = rule.status ?? 502) });
      }
      exchange.status = upstream.status;
      const answer = new Uint8Array(await upstream.arrayBuffer());
      if (rule?.when === "trickle") {
        let sent = 0;
        const stream = new ReadableStream({
          async pull(controller) {
            await Bun.sleep(200);
            if (sent < answer.length) controller.enqueue(answer.slice(sent, ++sent));
            else controller.close();
          },
        });
        const headers = new Headers(upstream.headers);
        headers.delete("content-length");
        return new Response(stream, { status: upstream.status, headers });
      }
      return new Response(answer, { status: upstream.status, headers: upstream.headers });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    exchanges,
    /** Replaces the rules and forgets earlier exchanges. */
    plan(next: FaultRule[]) {
      rules = next.map((r) => ({ ...r, left: r.times ?? 1 }));
      exchanges.length = 0;
    },
    async stop() {
      for (const release of hanging) release();
      await server.stop(true);
    },
  };
}

export type FlakyProxy = ReturnType<typeof startFlakyProxy>;
