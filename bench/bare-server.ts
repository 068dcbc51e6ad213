// The baseline: bare Bun.serve answering the same bytes, no framework, no auth, no log.
const body = process.env.BODY ?? "{}";
const code = Number(process.env.STATUS ?? 200);
const server = Bun.serve({
  port: Number(process.env.PORT),
  hostname: "127.0.0.1",
  fetch: () => new Response(body, { status: code, headers: { "content-type": "application/json" } }),
});
console.log(`ready ${server.port}`);
