// RFC 3161 client: time-stamp tokens for signatures (PAdES B-T) and documents
// (B-LTA), from a list of time-stamp authorities tried in order.
import "reflect-metadata";
import { ContentInfo, SignedData } from "@peculiar/asn1-cms";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { MessageImprint, PKIStatus, TimeStampReq, TimeStampResp, TSTInfo } from "@peculiar/asn1-tsp";
import { digestAlgorithm, digestOf, digestOfOid } from "./algorithms.ts";
import { sameBytes } from "./bytes.ts";
import type { HashName } from "./signer.ts";

export class TimestampError extends Error {
  override name = "TimestampError";
}

/** The TSTInfo inside a DER TimeStampToken (a SignedData whose content is the TSTInfo). */
export function readTstInfo(token: Uint8Array | ArrayBuffer): TSTInfo {
  const signedData = AsnConvert.parse(AsnConvert.parse(token, ContentInfo).content, SignedData);
  const content = signedData.encapContentInfo.eContent;
  const der = content?.single?.buffer ?? content?.any;
  if (!der) throw new TimestampError("the time-stamp token has no TSTInfo");
  return AsnConvert.parse(der, TSTInfo);
}

/** INTEGER values compared as numbers: leading zero bytes do not count. */
const sameInteger = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array) =>
  BigInt(`0x0${Buffer.from(a as Uint8Array).toString("hex")}`) === BigInt(`0x0${Buffer.from(b as Uint8Array).toString("hex")}`);

/** One time-stamp authority and how to authenticate to it. */
export interface TsaEndpoint {
  url: string;
  /** HTTP basic authentication. */
  username?: string;
  password?: string;
  /** Extra header sent with each request, e.g. an API key: "X-Api-Key: secret". */
  header?: string;
}

export interface Timestamper {
  /** The digest the authorities are asked to stamp. */
  readonly hash: HashName;
  /** A token over `digest` (made with `hash`); throws TimestampError when no authority grants one. */
  timestamp(digest: Uint8Array): Promise<Uint8Array>;
  /**
   * The largest token issued so far, or a real one over a dummy message when none was:
   * its length sizes the placeholder that will receive real tokens (pyHanko's dummy response).
   */
  sizingToken(): Promise<Uint8Array>;
}

export interface TimestamperOptions {
  endpoints: TsaEndpoint[];
  /** Each authority gets this long to answer before the next one is tried. */
  timeoutMs: number;
  hash?: HashName;
}

function headersFor(endpoint: TsaEndpoint): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/timestamp-query" };
  if (endpoint.username) headers.authorization = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password ?? ""}`).toString("base64")}`;
  if (endpoint.header) {
    const colon = endpoint.header.indexOf(":");
    if (colon > 0) headers[endpoint.header.slice(0, colon).trim().toLowerCase()] = endpoint.header.slice(colon + 1).trim();
  }
  return headers;
}

/** Asks one authority for a token over `hashed` and checks it answers that very request. */
async function requestFrom(endpoint: TsaEndpoint, hash: HashName, hashed: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  const { url } = endpoint;
  const nonce = crypto.getRandomValues(new Uint8Array(8));
  // A positive INTEGER whose DER is minimal as written: first byte 0x40-0x7f (a leading
  // 0x00 would be non-canonical DER, which strict TSAs such as `openssl ts` refuse).
  nonce[0] = (nonce[0]! & 0x3f) | 0x40;
  const request = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({ hashAlgorithm: digestAlgorithm(hash), hashedMessage: new OctetString(hashed) }),
    nonce: nonce.buffer,
    certReq: true,
  });
  let response: Response;
  try {
    // Authorities come from the admin's configuration, so no private-network block;
    // Bun's fetch goes through HTTPS_PROXY / HTTP_PROXY when they are set.
    response = await fetch(url, { method: "POST", headers: headersFor(endpoint), body: AsnConvert.serialize(request), signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new TimestampError(`time-stamp server ${url} unreachable: ${(e as Error).message}`);
  }
  if (!response.ok) throw new TimestampError(`time-stamp server ${url} answered HTTP ${response.status}`);
  let resp: TimeStampResp;
  try {
    resp = AsnConvert.parse(await response.arrayBuffer(), TimeStampResp);
  } catch {
    throw new TimestampError(`time-stamp server ${url} sent something that is not a time-stamp response`);
  }
  const status = resp.status.status;
  if (status !== PKIStatus.granted && status !== PKIStatus.grantedWithMods) {
    const text = resp.status.statusString?.map((s) => s.toString()).join("; ");
    throw new TimestampError(`time-stamp server ${url} refused the request (status ${status}${text ? `: ${text}` : ""})`);
  }
  if (!resp.timeStampToken) throw new TimestampError(`time-stamp server ${url} granted but sent no token`);
  const token = new Uint8Array(AsnConvert.serialize(resp.timeStampToken));
  const info = readTstInfo(token);
  if (digestOfOid(info.messageImprint.hashAlgorithm.algorithm) !== hash || !sameBytes(info.messageImprint.hashedMessage.buffer, hashed)) {
    throw new TimestampError(`time-stamp server ${url} stamped another message than ours`);
  }
  if (!info.nonce || !sameInteger(info.nonce, nonce)) {
    throw new TimestampError(`time-stamp server ${url} answered with a wrong nonce`);
  }
  return token;
}

/** Tries each authority in order; the error names every failure when none answers. */
export function httpTimestamper({ endpoints, timeoutMs, hash = "SHA-256" }: TimestamperOptions): Timestamper {
  if (endpoints.length === 0) throw new Error("httpTimestamper: no time-stamp authority");
  let largest: Uint8Array | undefined;
  const timestamp = async (hashed: Uint8Array) => {
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      try {
        const token = await requestFrom(endpoint, hash, hashed, timeoutMs);
        if (!largest || token.length > largest.length) largest = token;
        return token;
      } catch (e) {
        if (!(e instanceof TimestampError)) throw e;
        failures.push(e.message);
      }
    }
    throw new TimestampError(failures.join("; "));
  };
  return {
    hash,
    timestamp,
    sizingToken: async () => largest ?? (await timestamp(digestOf(hash, new TextEncoder().encode("certyneo placeholder sizing")))),
  };
}
