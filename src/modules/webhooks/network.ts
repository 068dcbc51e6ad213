/**
 * The SSRF guard of webhook deliveries. A delivery's host is resolved when it is sent, every
 * address is checked, and the request goes to a checked address (the URL's host name travels in
 * the Host header and, for https, as the TLS server name), so a DNS answer that changes between
 * the check and the connection (rebinding) cannot redirect it to an internal address.
 *
 * Refused by default: loopback, private (RFC 1918), CGNAT, link-local (with the cloud metadata
 * address 169.254.169.254), unique-local and link-local IPv6, unspecified, multicast, reserved and
 * documentation ranges, and IPv6 forms that embed one of those IPv4 addresses. An admin allows
 * some with `webhooks.allowedNetworks`: CIDRs, single addresses, host names (`hr.internal`) or
 * host-name suffixes (`*.corp.example`).
 */

type Family = 4 | 6;

interface Ip {
  family: Family;
  /** The address as an unsigned integer: 32 bits for IPv4, 128 for IPv6. */
  value: bigint;
}

interface Cidr extends Ip {
  bits: number;
  text: string;
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

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(input: string): bigint | null {
  let s = input.replace(/%.*$/, ""); // zone id (fe80::1%eth0)
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return null;
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    // Trailing dotted IPv4 (::ffff:10.0.0.1): rewrite it as two hex groups.
    const v4 = parseV4(last);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  for (const g of [...head, ...rest]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const words = [...head, ...Array<string>(8 - total).fill("0"), ...rest].map((g) => BigInt(parseInt(g, 16)));
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}

/** Parses an IPv4 or IPv6 literal (brackets and zone id allowed); null if it is not one. */
export function parseIp(text: string): Ip | null {
  const s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseV4(s);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseV6(s);
  if (v6 !== null) return { family: 6, value: v6 };
  return null;
}

function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.split("/");
  if (extra !== undefined || !addr) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return null;
  return { ...ip, bits, text };
}

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  if (!c) throw new Error(`bad built-in CIDR ${text}`);
  return c;
};

function contains(c: Cidr, ip: Ip): boolean {
  if (c.family !== ip.family) return false;
  const width = BigInt(c.family === 4 ? 32 : 128);
  const shift = width - BigInt(c.bits);
  return c.bits === 0 || ip.value >> shift === c.value >> shift;
}

// ---------------------------------------------------------------- classification

const V4_BLOCKED: [Cidr, string][] = [
  [cidr("0.0.0.0/8"), "an unspecified (\"this network\") address"],
  [cidr("10.0.0.0/8"), "a private address (RFC 1918)"],
  [cidr("100.64.0.0/10"), "a carrier-grade NAT address (RFC 6598)"],
  [cidr("127.0.0.0/8"), "a loopback address"],
  [cidr("169.254.169.254/32"), "the cloud metadata address"],
  [cidr("169.254.0.0/16"), "a link-local address"],
  [cidr("172.16.0.0/12"), "a private address (RFC 1918)"],
  [cidr("192.0.0.0/24"), "an IETF protocol assignment address"],
  [cidr("192.0.2.0/24"), "a documentation address"],
  [cidr("192.88.99.0/24"), "a 6to4 relay anycast address"],
  [cidr("192.168.0.0/16"), "a private address (RFC 1918)"],
  [cidr("198.18.0.0/15"), "a benchmarking address"],
  [cidr("198.51.100.0/24"), "a documentation address"],
  [cidr("203.0.113.0/24"), "a documentation address"],
  [cidr("224.0.0.0/4"), "a multicast address"],
  [cidr("240.0.0.0/4"), "a reserved or broadcast address"],
];

const V6_BLOCKED: [Cidr, string][] = [
  [cidr("::/128"), "the unspecified address"],
  [cidr("::1/128"), "a loopback address"],
  [cidr("::/96"), "a deprecated IPv4-compatible address"],
  [cidr("64:ff9b:1::/48"), "a local-use NAT64 address"],
  [cidr("100::/64"), "a discard-only address"],
  [cidr("2001:db8::/32"), "a documentation address"],
  [cidr("fc00::/7"), "a unique-local address"],
  [cidr("fe80::/10"), "a link-local address"],
  [cidr("fec0::/10"), "a site-local address"],
  [cidr("ff00::/8"), "a multicast address"],
];

/** IPv6 forms that carry an IPv4 address: the IPv4 address decides. */
function embeddedV4(ip: Ip): Ip | null {
  if (ip.family !== 6) return null;
  if (contains(cidr("::ffff:0:0/96"), ip)) return { family: 4, value: ip.value & 0xffffffffn }; // mapped
  if (contains(cidr("64:ff9b::/96"), ip)) return { family: 4, value: ip.value & 0xffffffffn }; // NAT64
  if (contains(cidr("2002::/16"), ip)) return { family: 4, value: (ip.value >> 80n) & 0xffffffffn }; // 6to4
  return null;
}

/** Why an address may not be reached by default, or null if it is a public unicast address. */
export function blockedReason(address: string): string | null {
  const ip = parseIp(address);
  if (!ip) return "not an IP address";
  const v4 = embeddedV4(ip);
  if (v4) return blockedReason(formatIp(v4));
  for (const [range, why] of ip.family === 4 ? V4_BLOCKED : V6_BLOCKED) if (contains(range, ip)) return why;
  return null;
}

function formatIp(ip: Ip): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 255n)).join(".");
  const words = Array.from({ length: 8 }, (_, i) => ((ip.value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  return words.join(":");
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
  const cidrs: Cidr[] = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of allowedNetworks) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const c = parseCidr(entry);
    if (c) cidrs.push(c);
    else if (/^(\*\.|\.)[a-z0-9.-]+$/.test(entry)) suffixes.push(entry.replace(/^\*/, ""));
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
      if (cidrs.some((c) => contains(c, ip) || (v4 !== null && contains(c, v4)))) return null;
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
