import { systemClock } from "../clock";
import { runDoctor } from "../ops/doctor";
import type { Out } from "./args";
import { DOCTOR_USAGE } from "./usage";

export async function doctorCommand(args: string[], out: Out): Promise<number> {
  const checks = await runDoctor(process.env, systemClock, { smtp: args.includes("--smtp") });
  if (args.includes("--json")) out(JSON.stringify(checks));
  else for (const c of checks) out(`${c.status.padEnd(4)}  ${c.name.padEnd(21)}  ${c.detail}`);
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}
