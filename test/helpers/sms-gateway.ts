/** A real HTTP SMS gateway on a loopback port that records what it receives and answers `status`. */
export interface SmsGateway {
  port: number;
  hits: { body: any; auth: string | null }[];
  status: number;
  reset(): void;
  stop(): void;
}

export function startSmsGateway(): SmsGateway {
  const gateway: SmsGateway = {
    port: 0,
    hits: [],
    status: 200,
    reset() {
      gateway.hits.length = 0;
      gateway.status = 200;
    },
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      gateway.hits.push({ body: await req.json(), auth: req.headers.get("authorization") });
      return new Response(gateway.status < 300 ? "ok" : "gateway down", { status: gateway.status });
    },
  });
  gateway.port = server.port!;
  return gateway;
}
