/**
 * The SSRF guard of webhook deliveries. A delivery's host is resolved when it is sent, every
 * address is checked, and the request goes to a checked address (the URL's host name travels in
 * the Host header and, for https, as the TLS server name), so a DNS answer that changes between
 * the check and the connection (rebinding) cannot redirect it to an internal address.
 *
 * Refused by default: loopback, private (RFC 1918), CGNAT, link-local (with the cloud metadata
 * address 169.254.169.254), unique-local and link-local IPv6, unspecified, multicast, reserved and
 * documentation ranges, IPv4-translated and Teredo IPv6 addresses, and IPv6 forms that embed
 * one of those IPv4 addresses (mapped, NAT64, 6to4). The range arithmetic is node:net's
 * BlockList; this module keeps the table of reasons. An admin allows
 * some with `webhooks.allowedNetworks`: CIDRs, single addresses, host names (`hr.internal`) or
 * host-name suffixes (`*.corp.example`).
 */

import type { BlockList } from "node:net";
import { nodeNet } from "../../node-builtins";

type Family = 4 | 6;
const TYPE = { 4: "ipv4", 6: "ipv6" } as const;

export interface Ip {
  family: Family;
  /** The address without brackets or zone id, as node:net reads it. */
  address: string;
}

export interface ResolvedAddress {
  address: string;
  family: Family;
}

/** Resolves a host name to its addresses (the dispatcher passes node:dns lookup; tests may pass a fake). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** Why a delivery was not sent: the target is not reachable under the network policy. */
export class TargetRefusedError extends Error {
  override name = "TargetRefusedError";
}

// ---------------------------------------------------------------- parsing

/** Parses an IPv4 or IPv6 literal (brackets and zone id allowed); null if it is not one. */
export function parseIp(text: string): Ip | null {
  const address = (text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text).replace(/%.*$/, "");
  const family = nodeNet().isIP(address);
  return family === 4 || family === 6 ? { family, address } : null;
}

/** Adds "address/bits" (or a single address) to `list`; false if it is not a CIDR. */
function addCidr(list: BlockList, text: string): boolean {
  const [addr, len, extra] = text.split("/");
  const ip = extra === undefined && addr ? parseIp(addr) : null;
  if (!ip) return false;
  const max = ip.family === 4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return false;
  list.addSubnet(ip.address, bits, TYPE[ip.family]);
  return true;
}

/** A built-in range: one BlockList each, so that a match names its reason. */
function range(cidr: string, reason: string) {
  const list = new (nodeNet().BlockList)();
  if (!addCidr(list, cidr)) throw new Error(`bad built-in CIDR ${cidr}`);
  return { family: parseIp(cidr.split("/")[0]!)!.family, contains: (ip: Ip) => list.check(ip.address, TYPE[ip.family]), reason };
}

// ---------------------------------------------------------------- classification

const builtInRanges = () => ({
  blocked: [
    range("0.0.0.0/8", "an unspecified (\"this network\") address"),
    range("10.0.0.0/8", "a private address (RFC 1918)"),
    range("100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"),
    range("127.0.0.0/8", "a loopback address"),
    range("169.254.169.254/32", "the cloud metadata address"),
    range("169.254.0.0/16", "a link-local address"),
    range("172.16.0.0/12", "a private address (RFC 1918)"),
    range("192.0.0.0/24", "an IETF protocol assignment address"),
    range("192.0.2.0/24", "a documentation address"),
    range("192.88.99.0/24", "a 6to4 relay anycast address"),
    range("192.168.0.0/16", "a private address (RFC 1918)"),
    range("198.18.0.0/15", "a benchmarking address"),
    range("198.51.100.0/24", "a documentation address"),
    range("203.0.113.0/24", "a documentation address"),
    range("224.0.0.0/4", "a multicast address"),
    range("240.0.0.0/4", "a reserved or broadcast address"),
    range("::/128", "the unspecified address"),
    range("::1/128", "a loopback address"),
    range("::/96", "a deprecated IPv4-compatible address"),
    // SIIT (RFC 2765) and Teredo (RFC 4380) reach IPv4 hosts through translators and relays
    // the policy cannot see: refused outright rather than judged by an embedded address.
    range("::ffff:0:0:0/96", "an IPv4-translated address"),
    range("2001::/32", "a Teredo tunnel address"),
    range("64:ff9b:1::/48", "a local-use NAT64 address"),
    range("100::/64", "a discard-only address"),
    range("2001:db8::/32", "a documentation address"),
    range("fc00::/7", "a unique-local address"),
    range("fe80::/10", "a link-local address"),
    range("fec0::/10", "a site-local address"),
    range("ff00::/8", "a multicast address"),
  ],
  mapped: range("::ffff:0:0/96", "an IPv4-mapped address"),
  nat64: range("64:ff9b::/96", "a NAT64 address"),
  sixToFour: range("2002::/16", "a 6to4 address"),
});

// Built on first use, as node:net is loaded (node-builtins.ts).
let ranges: ReturnType<typeof builtInRanges> | undefined;
const builtIn = () => (ranges ??= builtInRanges());

/** The eight 16-bit groups of an IPv6 address (the URL parser writes it in hex, without a dotted quad). */
function groupsOf(address: string): number[] {
  const [head, tail] = new URL(`http://[${address}]`).hostname.slice(1, -1).split("::");
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const [h, t] = [parse(head), parse(tail)];
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

const dotted = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");

/** IPv6 forms that carry an IPv4 address: the IPv4 address decides. */
function embeddedV4(ip: Ip): Ip | null {
  if (ip.family !== 6) return null;
  const { mapped, nat64, sixToFour } = builtIn();
  const at = mapped.contains(ip) || nat64.contains(ip) ? 6 : sixToFour.contains(ip) ? 1 : null;
  if (at === null) return null;
  const groups = groupsOf(ip.address);
  return { family: 4, address: dotted(groups[at]!, groups[at + 1]!) };
}

/** Why an address may not be reached by default, or null if it is a public unicast address. */
export function blockedReason(address: string): string | null {
  const ip = parseIp(address);
  if (!ip) return "not an IP address";
  const v4 = embeddedV4(ip);
  if (v4) return blockedReason(v4.address);
  return builtIn().blocked.find((r) => r.family === ip.family && r.contains(ip))?.reason ?? null;
}

// ---------------------------------------------------------------- policy

export interface NetworkPolicy {
  /** The allowlist as the admin wrote it, for messages. */
  readonly allowed: readonly string[];
  /** null if the address may be reached for this host, else why not. */
  refusal(host: string, address: string): string | null;
}

/**
 * Builds the policy from `webhooks.allowedNetworks`. Entries: a CIDR (10.0.0.0/8, fd00::/8),
 * an address (10.1.2.3), a host name (hr.internal) or a suffix (*.corp.example, .corp.example).
 * Throws on an entry that is none of those, so a typo is not silently ignored.
 */
export function networkPolicy(allowedNetworks: readonly string[]): NetworkPolicy {
  let allowed: BlockList | undefined;
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of allowedNetworks) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (addCidr((allowed ??= new (nodeNet().BlockList)()), entry)) continue;
    if (/^(\*\.|\.)[a-z0-9.-]+$/.test(entry)) suffixes.push(entry.replace(/^\*/, ""));
    else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(entry)) hosts.add(entry.replace(/\.$/, ""));
    else throw new Error(`webhooks.allowedNetworks: "${raw}" is not a CIDR, an IP address or a host name`);
  }
  const hostAllowed = (host: string) => {
    const h = host.toLowerCase().replace(/\.$/, "");
    return hosts.has(h) || suffixes.some((s) => h.endsWith(s));
  };
  return {
    allowed: [...allowedNetworks],
    refusal(host, address) {
      const why = blockedReason(address);
      if (why === null) return null;
      const ip = parseIp(address)!;
      const v4 = embeddedV4(ip);
      if (allowed?.check(ip.address, TYPE[ip.family]) || (v4 !== null && allowed?.check(v4.address, "ipv4"))) return null;
      if (hostAllowed(host)) return null;
      return `${address} is ${why}`;
    },
  };
}

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

/**
 * Registration-time check of a URL whose host is an IP literal (a host name is checked when
 * each delivery resolves it). Returns why it is refused, or null.
 */
export function literalRefusal(url: URL, policy: NetworkPolicy): string | null {
  const host = hostOf(url);
  if (!parseIp(host)) return null;
  return policy.refusal(host, host);
}

export interface Target {
  /** The URL to fetch: the checked address in place of the host name. */
  url: string;
  /** The Host header to send (the original host and port). */
  host: string;
  /** For https: the name the server certificate must match (SNI). */
  serverName: string | null;
  address: string;
}

/**
 * Resolves the URL's host and picks an address the policy allows. IP literals are not resolved.
 * Addresses the policy refuses are never used; if none is left the delivery is refused.
 */
export async function resolveTarget(url: URL, policy: NetworkPolicy, resolve: Resolver): Promise<Target> {
  const host = hostOf(url);
  let addresses: ResolvedAddress[];
  const literal = parseIp(host);
  if (literal) addresses = [{ address: host, family: literal.family }];
  else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      throw new TargetRefusedError(`could not resolve ${host}: ${(e as { code?: string }).code ?? (e as Error).message}`);
    }
    if (!addresses.length) throw new TargetRefusedError(`${host} has no address`);
  }
  const refusals: string[] = [];
  // Prefer IPv4: on-prem networks often resolve AAAA records they do not route.
  const ordered = [...addresses].sort((a, b) => a.family - b.family);
  for (const a of ordered) {
    const why = policy.refusal(host, a.address);
    if (why) {
      refusals.push(why);
      continue;
    }
    const pinnedHost = a.family === 6 ? `[${a.address.replace(/%.*$/, "")}]` : a.address;
    const pinned = new URL(url.href);
    pinned.hostname = pinnedHost;
    return { url: pinned.href, host: url.host, serverName: url.protocol === "https:" && !literal ? host : null, address: a.address };
  }
  throw new TargetRefusedError(
    `refused by the network policy: ${[...new Set(refusals)].join("; ")}` +
      ` (allow it with webhooks.allowedNetworks / CERTYNEO_WEBHOOK_ALLOWED_NETWORKS)`,
  );
}

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address of both families. */
export const systemResolver: Resolver = async (host) => {
  const { lookup } = await import("node:dns/promises");
  const all = await lookup(host, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};
