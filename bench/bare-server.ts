// The baseline: bare Bun.serve answering the same JSON body, no framework, no auth, no log.
const body = process.env.BODY ?? "{}";
const server = Bun.serve({
  port: Number(process.env.PORT),
  hostname: "127.0.0.1",
  fetch: () => new Response(body, { headers: { "content-type": "application/json" } }),
});
console.log(`ready ${server.port}`);
