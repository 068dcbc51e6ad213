import type { Deps } from "../deps";
import { archivalRenewal, sealingService } from "../modules/sealing/lazy";
import { SEAL_USAGE } from "./usage";
import { CliError, type Out } from "./args";

/**
 * `certyneo seal ENV_ID`: seals a COMPLETED envelope now, also one whose seal had failed for good.
 * `certyneo seal extend [--before DAYS]`: archival renewal now, for sealed files whose last
 * document time-stamp's certificate expires within DAYS (default seal.extendBeforeDays).
 */
export async function sealCommand(deps: Deps, args: string[], out: Out) {
  const [first] = args.filter((a) => !a.startsWith("--"));
  if (!first) throw new CliError(SEAL_USAGE);
  if (first !== "extend") {
    await (await sealingService()).sealEnvelope(deps, first);
    return out(`Envelope ${first} is sealed.`);
  }
  const at = args.indexOf("--before");
  const days = at >= 0 ? Number(args[at + 1]) : deps.config.seal.extendBeforeDays;
  if (!Number.isInteger(days) || days < 0) throw new CliError(`--before: expected a number of days, got "${args[at + 1] ?? ""}"`);
  if (!deps.trust.timestamper) throw new CliError("seal extend needs a time-stamp authority (CERTYNEO_SEAL_TSA_URL)");
  const { extended, failed } = await (await archivalRenewal()).extendArchivalSeals(deps, days);
  for (const f of failed) out(`Envelope ${f.envelopeId}: not extended: ${f.reason}`);
  out(`${extended.length} envelope(s) got a new document time-stamp${extended.length ? `: ${extended.join(", ")}` : ""}.`);
  if (failed.length) throw new CliError(`${failed.length} envelope(s) could not be extended`);
}
