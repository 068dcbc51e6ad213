import { existsSync, readFileSync } from "node:fs";
import type { Deps } from "../deps";
import { verifyDocument } from "../modules/verify/service";
import { CliError, type Out } from "./args";

/** `certyneo verify FILE.pdf [--json]`: exit 0 when every signature holds, 1 otherwise. */
export async function verifyCommand(deps: Deps, args: string[], out: Out): Promise<number> {
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) throw new CliError("usage: certyneo verify FILE.pdf [--json]");
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  const report = await verifyDocument(deps, new Uint8Array(readFileSync(file)));
  if (args.includes("--json")) {
    out(JSON.stringify(report, null, 2));
    return report.valid ? 0 : 1;
  }
  if (!report.signatures.length) out(`${file}: no signature`);
  report.signatures.forEach((s, i) => {
    out(`Signature ${i + 1}${s.fieldName ? ` (${s.fieldName})` : ""}: ${s.intact ? "INTACT" : "BROKEN: the signed bytes changed or the signature does not verify"}`);
    out(`  signer:     ${s.signerSubject}`);
    out(`  issuer:     ${s.issuer}`);
    out(`  signed at:  ${s.signingTime ?? "unknown"}${s.timestampTime ? `  (time-stamp ${s.timestampTime})` : ""}`);
    out(`  covers:     ${s.coversWholeDocument ? "the whole document" : `all but ${s.bytesAppendedAfter} bytes appended after it`}`);
    out(`  format:     ${s.subFilter}${s.byThisInstance ? ", made by this instance's certificate" : ""}`);
  });
  out(report.valid ? "VALID" : "NOT VALID");
  return report.valid ? 0 : 1;
}
