// The baseline: bare Bun.serve answering the same bytes, no framework, no auth, no log.
// HEADERS (JSON) adds response fields: the same headers as certyneo's answer, for the second baseline.
const body = process.env.BODY ?? "{}";
const code = Number(process.env.STATUS ?? 200);
const headers: Record<string, string> = { "content-type": "application/json", ...JSON.parse(process.env.HEADERS ?? "{}") };
const server = Bun.serve({
  port: Number(process.env.PORT),
  hostname: "127.0.0.1",
  fetch: () => new Response(body, { status: code, headers }),
});
console.log(`ready ${server.port}`);
