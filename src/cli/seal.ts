import type { Deps } from "../deps";
import { sealEnvelope } from "../modules/sealing/service";
import { CliError, type Out } from "./args";

/** `certyneo seal ENV_ID`: seals a COMPLETED envelope now, also one whose seal had failed for good. */
export async function sealCommand(deps: Deps, args: string[], out: Out) {
  const id = args.find((a) => !a.startsWith("--"));
  if (!id) throw new CliError("usage: certyneo seal ENVELOPE_ID");
  await sealEnvelope(deps, id);
  out(`Envelope ${id} is sealed.`);
}
