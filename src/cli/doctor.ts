import { systemClock } from "../clock";
import { runDoctor } from "../ops/doctor";
import type { Out } from "./args";

export const DOCTOR_USAGE = `Usage: certyneo doctor [--smtp] [--json]

Checks the configuration, the data directory (permissions, free space), the database, the
instance key, the sealing certificate (validity, expiry), the SMTP server (with --smtp: connects
and greets it) and the time-stamp authority, one line each. Changes nothing. Exit code 1 when a
check fails.`;

export async function doctorCommand(args: string[], out: Out): Promise<number> {
  const checks = await runDoctor(process.env, systemClock, { smtp: args.includes("--smtp") });
  if (args.includes("--json")) out(JSON.stringify(checks));
  else for (const c of checks) out(`${c.status.padEnd(4)}  ${c.name.padEnd(21)}  ${c.detail}`);
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}
