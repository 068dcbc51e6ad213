/**
 * The compiled schema check (src/schema-check.ts) that request bodies, job payloads and the stored
 * branding go through answers as TypeBox's interpreted check does, on values that fit and values
 * that do not.
 */
import { describe, expect, test } from "bun:test";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { JOB_PAYLOADS } from "../src/jobs/payloads";
import { BrandingSchema } from "../src/modules/branding/model";
import { DEFAULT_BRANDING } from "../src/modules/branding/service";
import { fits } from "../src/schema-check";

const cases: [string, TSchema, unknown[]][] = [
  ["deliver_message", JOB_PAYLOADS.deliver_message, [
    { recipientId: "rcp_1", message: "invitation", channel: "email" },
    { recipientId: "rcp_1", message: "invitation", channel: "fax" },
    { recipientId: 7, message: "invitation", channel: "email" },
    { recipientId: "rcp_1", channel: "email" },
    null, "rcp_1", [],
  ]],
  ["seal_envelope", JOB_PAYLOADS.seal_envelope, [{ envelopeId: "env_1" }, { envelopeId: null }, {}]],
  ["branding", BrandingSchema, [
    DEFAULT_BRANDING,
    { ...DEFAULT_BRANDING, accentColor: "blue" },
    { ...DEFAULT_BRANDING, organisationName: "x".repeat(101) },
    { ...DEFAULT_BRANDING, logo: { sha256: "a".repeat(64), type: "image/png" } },
    { ...DEFAULT_BRANDING, logo: { sha256: "a".repeat(64), type: "image/gif" } },
  ]],
];

describe("fits", () => {
  for (const [name, schema, values] of cases)
    test(`answers as Value.Check does: ${name}`, () => {
      const answers = values.map((v) => fits(schema, v));
      expect(answers).toEqual(values.map((v) => Value.Check(schema, v)));
      // Each list holds values that fit and values that do not.
      expect(new Set(answers)).toEqual(new Set([true, false]));
    });
});
