// The self-signed certificate a fresh install seals with until an admin
// configures a real one. Its subject says loudly what it is.
import "reflect-metadata";
import { KeyUsageFlags, KeyUsagesExtension, X509CertificateGenerator } from "@peculiar/x509";
import { buildP12 } from "./pkcs12-writer.ts";

export const DEVELOPMENT_ORGANIZATION = "Certyneo development certificate (NOT FOR PRODUCTION)";

/** DN attribute values are written between quotes so commas and the like stay literal. */
const quoteDn = (value: string) => `"${value.replace(/["\\]/g, "\\$&")}"`;

export async function createDevelopmentP12(opts: { commonName: string; password: string; now: Date }): Promise<Uint8Array> {
  // P-256: small, fast, and accepted by every validator we test with.
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const notAfter = new Date(opts.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 10);
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex").replace(/^[89a-f]/, "1"),
      name: `CN=${quoteDn(opts.commonName)}, O=${quoteDn(DEVELOPMENT_ORGANIZATION)}`,
      notBefore: new Date(opts.now.getTime() - 60_000), // tolerate small clock skew
      notAfter,
      keys,
      signingAlgorithm: algorithm,
      extensions: [new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation, true)],
    },
    crypto,
  );
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return buildP12(pkcs8, [certificate], opts.password);
}
