/** Recipient routing: each recipient's routingOrder, the signingOrder the API reports, and which group acts next. */
import type { RecipientRole, RecipientStatus, SigningOrder } from "../../enums";
import type { EnvelopeDraft } from "./draft-rules";

/** routingOrder of each recipient: per-recipient values, else the signingOrder shorthand (default parallel). */
export function routingOrders(d: Pick<EnvelopeDraft, "recipients" | "signingOrder">): number[] {
  if (d.signingOrder === "sequential") {
    let n = 0;
    // CC recipients do not take a turn; they get the order of the signer before them (or 1).
    return d.recipients.map((r) => ((r.role ?? "SIGNER") === "CC" ? Math.max(n, 1) : ++n));
  }
  return d.recipients.map((r) => r.routingOrder ?? 1);
}

/** The signingOrder the API reports: parallel (one group), sequential (one actor per group), else custom. */
export function signingOrderOf(rs: readonly { role: RecipientRole; routingOrder: number }[]): SigningOrder {
  const orders = rs.filter((r) => r.role !== "CC").map((r) => r.routingOrder);
  const distinct = new Set(orders);
  if (distinct.size <= 1) return "parallel";
  if (distinct.size === orders.length) return "sequential";
  return "custom";
}

export interface RoutedRecipient {
  id: string;
  role: RecipientRole;
  routingOrder: number;
  status: RecipientStatus;
}

export type RoutingStep =
  | { kind: "invite"; routingOrder: number; recipientIds: string[] }
  | { kind: "wait" }
  | { kind: "complete" };

/**
 * What happens next, given every recipient's status. SIGNERs and APPROVERs act in groups of
 * equal routingOrder, lowest first; CC recipients never act. When every actor has signed the
 * envelope completes; when the lowest unfinished group has not been invited yet, it is invited;
 * otherwise the current group is still at work.
 */
export function nextStep(rs: readonly RoutedRecipient[]): RoutingStep {
  const open = rs.filter((r) => r.role !== "CC" && r.status !== "SIGNED");
  if (!open.length) return { kind: "complete" };
  const order = Math.min(...open.map((r) => r.routingOrder));
  const pending = open.filter((r) => r.routingOrder === order && r.status === "PENDING");
  return pending.length ? { kind: "invite", routingOrder: order, recipientIds: pending.map((r) => r.id) } : { kind: "wait" };
}
