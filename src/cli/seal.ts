import type { Deps } from "../deps";
import { sealEnvelope } from "../modules/sealing/service";
import { CliError, type Out } from "./args";

export const SEAL_USAGE = `Usage: certyneo seal ENVELOPE_ID

Seals a COMPLETED envelope now, also one whose seal had failed for good (the server retries on
its own otherwise; the console's "Retry sealing" queues the same).`;

/** `certyneo seal ENV_ID`: seals a COMPLETED envelope now, also one whose seal had failed for good. */
export async function sealCommand(deps: Deps, args: string[], out: Out) {
  const id = args.find((a) => !a.startsWith("--"));
  if (!id) throw new CliError(SEAL_USAGE);
  await sealEnvelope(deps, id);
  out(`Envelope ${id} is sealed.`);
}
