// RFC 3161 client: a signature time-stamp over the CMS signature value (PAdES B-T).
import "reflect-metadata";
import { ContentInfo, SignedData } from "@peculiar/asn1-cms";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { MessageImprint, PKIStatus, TimeStampReq, TimeStampResp, TSTInfo } from "@peculiar/asn1-tsp";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { id_sha256 } from "./pkcs12.ts";

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

const bytesOf = (a: ArrayBuffer | Uint8Array) => (a instanceof Uint8Array ? a : new Uint8Array(a));
const equalBytes = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array) => Buffer.from(bytesOf(a)).equals(Buffer.from(bytesOf(b)));
/** INTEGER values compared as numbers: leading zero bytes do not count. */
const sameInteger = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array) =>
  BigInt(`0x0${Buffer.from(bytesOf(a)).toString("hex")}`) === BigInt(`0x0${Buffer.from(bytesOf(b)).toString("hex")}`);

/** Asks the TSA for a token over SHA-256(data) and checks it answers that very request. */
export async function requestTimestamp(tsaUrl: string, data: Uint8Array): Promise<Uint8Array> {
  const hashed = new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
  const nonce = crypto.getRandomValues(new Uint8Array(8));
  // A positive INTEGER whose DER is minimal as written: first byte 0x40-0x7f (a leading
  // 0x00 would be non-canonical DER, which strict TSAs such as `openssl ts` refuse).
  nonce[0] = (nonce[0]! & 0x3f) | 0x40;
  const request = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: id_sha256 }), hashedMessage: new OctetString(hashed) }),
    nonce: nonce.buffer,
    certReq: true,
  });
  let response: Response;
  try {
    response = await fetch(tsaUrl, {
      method: "POST",
      headers: { "content-type": "application/timestamp-query" },
      body: AsnConvert.serialize(request),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new TimestampError(`time-stamp server ${tsaUrl} unreachable: ${(e as Error).message}`);
  }
  if (!response.ok) throw new TimestampError(`time-stamp server ${tsaUrl} answered HTTP ${response.status}`);
  let resp: TimeStampResp;
  try {
    resp = AsnConvert.parse(await response.arrayBuffer(), TimeStampResp);
  } catch {
    throw new TimestampError(`time-stamp server ${tsaUrl} sent something that is not a time-stamp response`);
  }
  const status = resp.status.status;
  if (status !== PKIStatus.granted && status !== PKIStatus.grantedWithMods) {
    const text = resp.status.statusString?.map((s) => s.toString()).join("; ");
    throw new TimestampError(`time-stamp server ${tsaUrl} refused the request (status ${status}${text ? `: ${text}` : ""})`);
  }
  if (!resp.timeStampToken) throw new TimestampError(`time-stamp server ${tsaUrl} granted but sent no token`);
  const token = new Uint8Array(AsnConvert.serialize(resp.timeStampToken));
  const info = readTstInfo(token);
  if (info.messageImprint.hashAlgorithm.algorithm !== id_sha256 || !equalBytes(info.messageImprint.hashedMessage.buffer, hashed)) {
    throw new TimestampError(`time-stamp server ${tsaUrl} stamped another message than ours`);
  }
  if (!info.nonce || !sameInteger(info.nonce, nonce)) {
    throw new TimestampError(`time-stamp server ${tsaUrl} answered with a wrong nonce`);
  }
  return token;
}
