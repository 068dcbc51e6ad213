/** The envelope's status machine: which status may follow which. */
import type { EnvelopeStatus } from "../../enums";

const TRANSITIONS: Record<EnvelopeStatus, readonly EnvelopeStatus[]> = {
  DRAFT: ["SENT"],
  SENT: ["COMPLETED", "DECLINED", "VOIDED", "EXPIRED"],
  COMPLETED: [],
  DECLINED: [],
  VOIDED: [],
  EXPIRED: [],
};

export const canTransition = (from: EnvelopeStatus, to: EnvelopeStatus): boolean => TRANSITIONS[from].includes(to);
