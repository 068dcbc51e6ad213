import type { Server } from "bun";
import { buildApp } from "./app";
import type { Deps } from "./deps";
import { maxBodyBytes } from "./http/pipeline";

export interface RunningServer {
  url: string;
  server: Server<unknown>;
  app: ReturnType<typeof buildApp>;
  /** Stops accepting, lets in-flight requests finish, stops the workers. The caller closes the database. */
  stop(): Promise<void>;
}

export function startServer(deps: Deps, opts: { port?: number; host?: string } = {}): RunningServer {
  const app = buildApp(deps);
  const server = Bun.serve({
    port: opts.port ?? deps.config.port,
    hostname: opts.host ?? deps.config.host,
    // Bun's own cap sits above the pipeline's, which answers a declared over-limit body with a
    // problem+json 413; only chunked bodies beyond this get Bun's bare 413.
    maxRequestBodySize: maxBodyBytes(deps.config) + 2 * 1024 * 1024,
    fetch: app.fetch,
  });
  for (const w of app.workers) w.start();
  return {
    url: `http://${server.hostname === "0.0.0.0" ? "127.0.0.1" : server.hostname}:${server.port}`,
    server,
    app,
    async stop() {
      await server.stop(false);
      await Promise.all(app.workers.map((w) => w.stop()));
      deps.pdf.close();
    },
  };
}
