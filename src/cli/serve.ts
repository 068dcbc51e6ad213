import { ConfigError, loadConfig, type Config } from "../config";
import { StartupError } from "../errors";
import { openInstance } from "../instance";
import { createLogger, type Level } from "../log";
import { networkPolicy } from "../modules/webhooks/network";
import { HTTP_THREAD_SLICE_NS, shortenThreadSlice } from "../pdf-worker/thread-priority";
import { startServer } from "../server";
import { closeDatabase } from "../store/open";
import { VERSION } from "../version";

/** Why the port could not be opened, as one line naming the setting to change. */
function listenError(e: unknown, config: Config): unknown {
  const code = (e as { code?: string }).code;
  if (code === "EADDRINUSE") return new StartupError(`port ${config.port} on ${config.host} is in use (another server?): stop it or set CERTYNEO_PORT`);
  if (code === "EACCES") return new StartupError(`port ${config.port} needs privileges this process lacks: set CERTYNEO_PORT above 1023`);
  // EINVAL: a name that does not resolve; EADDRNOTAVAIL: an address of another machine.
  if (code === "EINVAL" || code === "EADDRNOTAVAIL")
    return new StartupError(`cannot listen on "${config.host}" (CERTYNEO_HOST): not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its interfaces' addresses`);
  return e;
}

/** `certyneo serve`: the server, until SIGTERM or SIGINT. */
export async function serveCommand(args: string[]) {
  const config = loadConfig();
  try {
    networkPolicy(config.webhooks.allowedNetworks);
  } catch (e) {
    throw new ConfigError(`CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: ${(e as Error).message.replace(/^webhooks\.allowedNetworks:\s*/, "")}`);
  }
  const deps = await openInstance(config, { log: createLogger(config.logLevel as Level), acceptNewInstanceKey: args.includes("--accept-new-instance-key") });
  // A server that cannot seal must not accept envelopes: no request is served until the key has
  // been checked (the port opens meanwhile, which keeps the start fast), and a bad key stops it.
  const keyChecked = deps.checkSealingKey();
  // The HTTP thread preempts the PDF threads as soon as a request wakes it (thread-priority.ts).
  shortenThreadSlice(HTTP_THREAD_SLICE_NS);
  let running: ReturnType<typeof startServer>;
  try {
    running = startServer(deps, { ready: keyChecked });
  } catch (e) {
    keyChecked.catch(() => {});
    throw listenError(e, config);
  }
  try {
    await keyChecked;
  } catch (e) {
    await running.stop();
    await closeDatabase(deps.db);
    throw e;
  }
  deps.log.info("listening", { url: running.url, baseUrl: deps.config.baseUrl, dataDir: deps.config.dataDir, storage: deps.config.storage.url || undefined, version: VERSION });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info("shutting down", { signal });
    await running.stop();
    await closeDatabase(deps.db);
    deps.log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
