import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { enqueue } from "../../jobs/queue";
import type { Tx } from "../../store/db";
import { recipients } from "../../store/schema";
import { signingToken, tokenHash } from "../signing/token";
import type { RecipientRow } from "./rows";

export interface Person {
  name: string;
  email: string;
  phone: string | null;
}

/**
 * Someone else now holds a recipient's place (a correction, or a signer handing their turn
 * over): new details, a new signing link (the old one finds nobody from now on), signer
 * authentication to pass again, and, for a recipient already invited, the invitation again to
 * the new address. In the caller's transaction; returns whether the invitation was re-sent.
 */
export async function replaceRecipientPerson(tx: Tx, deps: Pick<Deps, "clock" | "secret">, r: RecipientRow, next: Person, extra: Partial<RecipientRow> = {}): Promise<boolean> {
  const linkVersion = r.linkVersion + 1;
  const invited = r.status === "SENT" || r.status === "VIEWED";
  await tx.update(recipients).set({
    ...next, ...extra, linkVersion, tokenHash: tokenHash(signingToken(deps.secret, r.id, linkVersion)),
    // The new person proves who they are afresh: no session, code, back-off or failures of the previous one.
    authenticatedAt: null, otpHash: null, otpExpiresAt: null, otpSentAt: null, otpSends: 0, authFailures: 0, authLockedUntil: null,
    // The new person has not opened anything yet.
    ...(invited ? { status: "SENT" as const, viewedAt: null, sentAt: deps.clock.now() } : {}),
  }).where(eq(recipients.id, r.id));
  if (invited) await enqueue(tx, deps.clock, { kind: "send_invitation", payload: { recipientId: r.id } });
  return invited;
}
