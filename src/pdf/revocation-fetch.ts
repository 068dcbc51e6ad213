// Fetching revocation data for a certificate: OCSP from its AIA responder first,
// else a CRL from its distribution points. URLs come from the admin's own
// certificates, so no private-network block; Bun's fetch goes through
// HTTPS_PROXY / HTTP_PROXY when they are set. Answers are cached until their nextUpdate.
import type { X509Certificate } from "@peculiar/x509";
import { crlUrls, ocspUrls } from "./certs.ts";
import { checkCrl, checkOcspResponse, ocspRequest, type RevocationAnswer } from "./revocation.ts";

export interface FetchedRevocation {
  kind: "ocsp" | "crl";
  der: Uint8Array;
  answer: RevocationAnswer;
}

export interface RevocationFetcher {
  /** Checked revocation data about `cert`, or undefined when no responder or distribution point answers. */
  fetch(cert: X509Certificate, issuer: X509Certificate): Promise<FetchedRevocation | undefined>;
}

export interface RevocationFetcherOptions {
  /** Each responder or distribution point gets this long to answer. */
  timeoutMs: number;
  now: () => Date;
  /** Told about each source that failed (the caller logs it). */
  onFailure?: (url: string, why: string) => void;
}

async function download(url: string, init: RequestInit, timeoutMs: number): Promise<Uint8Array> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export function onlineRevocation({ timeoutMs, now, onFailure }: RevocationFetcherOptions): RevocationFetcher {
  const cache = new Map<string, FetchedRevocation>();
  const fresh = (entry: FetchedRevocation | undefined) => entry?.answer.nextUpdate && entry.answer.nextUpdate > now() ? entry : undefined;
  const keep = (key: string, entry: FetchedRevocation | undefined) => {
    if (fresh(entry)) cache.set(key, entry!);
    return entry;
  };

  async function fromOcsp(url: string, cert: X509Certificate, issuer: X509Certificate) {
    const der = await download(url, { method: "POST", headers: { "content-type": "application/ocsp-request" }, body: ocspRequest(cert, issuer) as Uint8Array<ArrayBuffer> }, timeoutMs);
    const answer = await checkOcspResponse(der, cert, issuer);
    if (!answer) throw new Error("not a signed answer about this certificate");
    return { kind: "ocsp" as const, der, answer };
  }

  async function fromCrl(url: string, cert: X509Certificate, issuer: X509Certificate) {
    // One CRL answers for every certificate of its issuer: cached by URL, checked per certificate.
    const cached = fresh(cache.get(`crl ${url}`));
    const der = cached?.der ?? (await download(url, {}, timeoutMs));
    const answer = await checkCrl(der, cert, issuer);
    if (!answer) throw new Error("not a CRL of this certificate's issuer");
    keep(`crl ${url}`, { kind: "crl", der, answer });
    return { kind: "crl" as const, der, answer };
  }

  return {
    async fetch(cert, issuer) {
      const key = `ocsp ${Buffer.from(new Uint8Array(await cert.getThumbprint("SHA-256", crypto))).toString("hex")}`;
      const cached = fresh(cache.get(key));
      if (cached) return cached;
      for (const url of ocspUrls(cert)) {
        try {
          return keep(key, await fromOcsp(url, cert, issuer));
        } catch (e) {
          onFailure?.(url, (e as Error).message);
        }
      }
      for (const url of crlUrls(cert)) {
        try {
          return await fromCrl(url, cert, issuer);
        } catch (e) {
          onFailure?.(url, (e as Error).message);
        }
      }
      return undefined;
    },
  };
}
