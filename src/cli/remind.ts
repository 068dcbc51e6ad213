import { eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { notFound } from "../errors";
import { remindRecipient } from "../modules/envelopes/remind-recipient";
import { firstRow } from "../store/portable-sql";
import { envelopes } from "../store/schema";
import { REMIND_USAGE } from "./usage";
import { CliError, type Out } from "./args";

export async function remindCommand(deps: Deps, args: string[], out: Out) {
  const [envelopeId, recipientId] = args.filter((a) => !a.startsWith("--"));
  if (!envelopeId || !recipientId) throw new CliError(REMIND_USAGE);
  const row = await firstRow(deps.db.select({ environment: envelopes.environment }).from(envelopes).where(eq(envelopes.id, envelopeId)));
  if (!row) throw notFound("Envelope", envelopeId);
  const kind = args.includes("--invitation") ? "invitation" : "reminder";
  await remindRecipient(deps, row.environment, { actor: "cli" }, envelopeId, recipientId, kind);
  out(`Queued a${kind === "reminder" ? " reminder" : "n invitation"} for ${recipientId}.`);
}
