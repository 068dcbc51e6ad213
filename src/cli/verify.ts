import { existsSync, readFileSync } from "node:fs";
import type { Deps } from "../deps";
import { verifyService } from "../modules/sealing/lazy";
import { VERIFY_USAGE } from "./usage";
import { CliError, type Out } from "./args";

/** `certyneo verify FILE.pdf [--json]`: exit 0 when every signature holds, 1 otherwise. */
export async function verifyCommand(deps: Deps, args: string[], out: Out): Promise<number> {
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) throw new CliError(VERIFY_USAGE);
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  const report = await (await verifyService()).verifyDocument(deps, new Uint8Array(readFileSync(file)));
  if (args.includes("--json")) {
    out(JSON.stringify(report, null, 2));
    return report.valid ? 0 : 1;
  }
  if (!report.signatures.length) out(`${file}: no signature`);
  report.signatures.forEach((s, i) => {
    const what = s.kind === "document-timestamp" ? "Document time-stamp" : "Signature";
    out(`${what} ${i + 1}${s.fieldName ? ` (${s.fieldName})` : ""}: ${s.intact ? "INTACT" : "BROKEN: the signed bytes changed or the signature does not verify"}`);
    out(`  signer:     ${s.signerSubject}`);
    out(`  issuer:     ${s.issuer}`);
    out(`  signed at:  ${s.signingTime ?? "unknown"}${s.timestampTime ? `  (time-stamp ${s.timestampTime})` : ""}`);
    out(`  covers:     ${s.coversWholeDocument ? "the whole document" : `all but ${s.bytesAppendedAfter} bytes appended after it`}`);
    if (s.changesAfter.kinds.length) out(`  changes:    ${s.changesAfter.kinds.join(", ")} — ${s.changesAfter.allowed ? "allowed" : "NOT ALLOWED by the document's permissions"}`);
    out(`  trust:      ${s.trusted ? "TRUSTED" : "NOT TRUSTED"}${s.chain.length ? ` (${s.chain.join(" <- ")})` : ""}`);
    out(`  revocation: ${s.revocation}${s.revocationSources.length ? ` (${s.revocationSources.join(", ")} in the file)` : ""}`);
    if (s.timestamp) out(`  time-stamp: ${s.timestamp.intact ? "intact" : "BROKEN"}, ${s.timestamp.trusted ? "trusted" : "not trusted"} (${s.timestamp.authority})`);
    out(`  format:     ${s.subFilter}${s.level ? `, PAdES ${s.level}` : ""}${s.byThisInstance ? ", made by this instance's certificate" : ""}`);
  });
  out(report.valid ? (report.trusted ? "VALID, TRUSTED" : "VALID (intact), NOT TRUSTED") : "NOT VALID");
  return report.valid ? 0 : 1;
}
