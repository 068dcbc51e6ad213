import type { Deps } from "../deps";
import { createKey, listKeys, publicKey, revokeKey } from "../modules/keys/service";
import { parseScopes, SCOPES } from "../modules/keys/scopes";
import type { Environment } from "../store/schema";
import { KEYS_USAGE } from "./usage";
import { CliError, flag, type Out } from "./args";

/** A required flag: from the command line, or asked for when a person is at the terminal. */
function required(args: string[], name: string, question: string): string {
  const given = flag(args, name);
  if (given) return given;
  const answer = process.stdin.isTTY ? prompt(question)?.trim() : undefined;
  if (!answer) throw new CliError(`keys create needs ${name}; see certyneo keys --help`);
  return answer;
}

export async function keysCommand(deps: Deps, args: string[], out: Out) {
  const [sub, ...rest] = args;
  const json = rest.includes("--json");
  switch (sub) {
    case "create": {
      const env = required(rest, "--env", "Environment (test or live):");
      if (env !== "test" && env !== "live") throw new CliError(`--env must be test or live, got "${env}"`);
      const name = required(rest, "--name", "Key name (e.g. the integration using it):");
      const list = flag(rest, "--scopes");
      const { scopes, unknown } = parseScopes(list ?? SCOPES.join(","));
      if (unknown.length || !scopes.length) throw new CliError(`--scopes is a comma-separated list of ${SCOPES.join(", ")}`);
      const { key, secret } = await createKey(deps.db, deps.clock, { environment: env as Environment, name, scopes });
      if (json) return out(JSON.stringify({ id: key.id, key: secret, env, name, scopes }));
      out(`Created ${env} API key ${key.id} (${name}, scopes: ${scopes.join(", ")}). It is shown once; store it now:`);
      return out(secret);
    }
    case "list": {
      const keys = (await listKeys(deps.db)).map(publicKey);
      if (json) return out(JSON.stringify(keys));
      if (!keys.length) return out("No API keys. Create one: certyneo keys create --env test --name NAME");
      for (const k of keys)
        out([k.id, k.environment, k.prefix + "…", k.scopes.join(","), k.revokedAt ? `revoked ${k.revokedAt}` : "active", `last used ${k.lastUsedAt ?? "never"}`, k.name].join("  "));
      return;
    }
    case "revoke": {
      const id = rest.find((a) => !a.startsWith("--"));
      if (!id) throw new CliError("usage: certyneo keys revoke KEY_ID");
      const key = await revokeKey(deps.db, deps.clock, id);
      return out(json ? JSON.stringify(publicKey(key)) : `Revoked ${key.id} (${key.name}).`);
    }
    default:
      throw new CliError(KEYS_USAGE);
  }
}
