import type { Deps } from "../deps";
import { CLI_ACTOR } from "../modules/admin/actions";
import { createAdmin, listAdmins, resetPassword, setTotp } from "../modules/admin/accounts";
import { newTotpSecret, otpauthUri } from "../modules/admin/totp";
import { ADMIN_USAGE } from "./usage";
import { CliError, flag, type Out } from "./args";

/** The password from standard input, without the line break `echo` adds. */
async function passwordFromStdin(args: string[]): Promise<string> {
  if (!args.includes("--password-stdin")) throw new CliError("the password is read from standard input: add --password-stdin (never on the command line, where ps shows it)");
  return (await Bun.stdin.text()).replace(/\r?\n$/, "");
}

function emailOf(args: string[]): string {
  const email = flag(args, "--email");
  if (!email) throw new CliError("--email EMAIL is required; see certyneo admin --help");
  return email;
}

export async function adminCommand(deps: Deps, args: string[], out: Out) {
  const [sub, ...rest] = args;
  switch (sub) {
    case "create": {
      const admin = await createAdmin(deps, CLI_ACTOR, { email: emailOf(rest), password: await passwordFromStdin(rest) });
      return out(`Created admin ${admin.email}. Sign in at ${deps.config.baseUrl}/admin/login`);
    }
    case "reset-password": {
      const admin = await resetPassword(deps, CLI_ACTOR, { email: emailOf(rest), password: await passwordFromStdin(rest) });
      return out(`New password set for ${admin.email}; its sessions were ended.`);
    }
    case "totp": {
      const [action, ...more] = rest;
      if (action === "enable") {
        const secret = newTotpSecret();
        const admin = await setTotp(deps, CLI_ACTOR, emailOf(more), secret);
        out(`TOTP enabled for ${admin.email}. Add this to an authenticator app:`);
        out(`secret: ${secret}`);
        return out(otpauthUri(secret, admin.email));
      }
      if (action === "disable") return out(`TOTP disabled for ${(await setTotp(deps, CLI_ACTOR, emailOf(more), null)).email}.`);
      throw new CliError("usage: certyneo admin totp enable|disable --email EMAIL");
    }
    case "list": {
      const admins = (await listAdmins(deps)).map((a) => ({ email: a.email, totp: a.totpSecret !== null, createdAt: a.createdAt.toISOString(), lastLoginAt: a.lastLoginAt?.toISOString() ?? null }));
      if (rest.includes("--json")) return out(JSON.stringify(admins));
      if (!admins.length) return out("No admins. Create one: certyneo admin create --email EMAIL --password-stdin");
      for (const a of admins) out([a.email, a.totp ? "totp" : "password only", `last login ${a.lastLoginAt ?? "never"}`].join("  "));
      return;
    }
    default:
      throw new CliError(sub ? `unknown admin command "${sub}"; see certyneo admin --help` : ADMIN_USAGE);
  }
}
