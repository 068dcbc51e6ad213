/**
 * What an API key may do. `envelopes` is the integration's daily work (documents, envelopes,
 * verification); managing webhooks and managing keys are separate, so a leaked work key can
 * neither mint new keys nor revoke the others.
 */
export const SCOPES = ["envelopes", "webhooks", "keys"] as const;
export type Scope = (typeof SCOPES)[number];

/** A key created through the API without `scopes` gets its creator's scopes, never key management. */
export const defaultScopes = (creator: readonly Scope[]): Scope[] => creator.filter((s) => s !== "keys");

/** Scopes the creator does not hold, which it therefore cannot grant. */
export const ungrantable = (creator: readonly Scope[], wanted: readonly Scope[]): Scope[] => wanted.filter((s) => !creator.includes(s));

/** Scopes from a comma-separated list (the CLI's --scopes), and the names that are not scopes. */
export function parseScopes(list: string): { scopes: Scope[]; unknown: string[] } {
  const names = [...new Set(list.split(",").map((s) => s.trim()).filter(Boolean))];
  return {
    scopes: names.filter((n): n is Scope => (SCOPES as readonly string[]).includes(n)),
    unknown: names.filter((n) => !(SCOPES as readonly string[]).includes(n)),
  };
}
