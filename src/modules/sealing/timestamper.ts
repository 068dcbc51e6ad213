import type { Config } from "../../config";
import { httpTimestamper, type Timestamper } from "../../pdf/tsa";

/** The configured time-stamp authorities as one Timestamper, or undefined when none is configured. */
export function configuredTimestamper(seal: Config["seal"]): Timestamper | undefined {
  const { urls, timeoutMs, username, password, header } = seal.tsa;
  if (urls.length === 0) return undefined;
  return httpTimestamper({ endpoints: urls.map((url) => ({ url, username, password, header })), timeoutMs });
}
