// What every signer's certificate must satisfy, whatever holds the key (PKCS#12 file,
// PKCS#11 token): checked once when the key is loaded.
import { KeyUsageFlags, KeyUsagesExtension, type X509Certificate } from "@peculiar/x509";
import { SignerError } from "../errors";

/** Orders the certificates from the signer up to the root, dropping unrelated ones. */
export function buildChain(leaf: X509Certificate, certs: X509Certificate[]): X509Certificate[] {
  const chain = [leaf];
  let current = leaf;
  while (current.subject !== current.issuer) {
    const issuer = certs.find((c) => c.subject === current.issuer && !chain.includes(c));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Valid at `now`, and a key usage (if any) that allows signing; else SignerError. */
export function checkSigningCertificate(certificate: X509Certificate, now: Date): void {
  if (now < certificate.notBefore) throw new SignerError(`the certificate is not valid before ${day(certificate.notBefore)}`);
  if (now > certificate.notAfter) throw new SignerError(`the certificate expired on ${day(certificate.notAfter)}`);
  const usage = certificate.getExtension(KeyUsagesExtension);
  if (usage && !(usage.usages & (KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation))) {
    throw new SignerError("the certificate's key usage does not allow signing (digitalSignature or nonRepudiation needed)");
  }
}
