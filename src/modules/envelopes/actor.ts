/** Who does something, as the audit trail records it. */
export interface ActorMeta {
  /** "api:key_…", "recipient:rcp_… <email>", "system". */
  actor: string;
  ip?: string | null;
  userAgent?: string | null;
}

export const SYSTEM: ActorMeta = { actor: "system" };
export const apiActor = (keyId: string, ip: string | null, userAgent: string | null): ActorMeta => ({ actor: `api:${keyId}`, ip, userAgent });
export const recipientActor = (r: { id: string; email: string }, ip: string | null, userAgent: string | null): ActorMeta =>
  ({ actor: `recipient:${r.id} <${r.email}>`, ip, userAgent });
