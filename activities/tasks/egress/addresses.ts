/**
 * Which IP addresses a task may reach without an allow-list entry: public unicast only. Classification is
 * ipaddr.js's range table plus a few ranges it files under "unicast" that still lead inside a network.
 */
import ipaddr from 'ipaddr.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

// Addresses whose answer is the worker's own cloud credentials: an allow-list CIDR never opens these, only an
// entry naming the exact address (see policy.ts). AWS/GCP/Azure/OpenStack, AWS IPv6, ECS task role, Alibaba,
// Oracle.
const METADATA = ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200', '192.0.0.192'].map((a) =>
  ipaddr.parse(a).toNormalizedString(),
);

// "unicast" in ipaddr.js's table but not a public destination: IPv4-compatible IPv6 (::a.b.c.d, deprecated),
// NAT64 local use, discard-only, deprecated site-local, and the benchmarking range.
const EXTRA_DENIED: Array<[Ip, number]> = ['::/96', '64:ff9b:1::/48', '100::/64', 'fec0::/10', '198.18.0.0/15'].map(
  (c) => ipaddr.parseCIDR(c),
);

/** Parses an IP literal (brackets and a zone id allowed); undefined when `text` is not one. */
export function parseIp(text: string): Ip | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return ipaddr.isValid(bare) ? unmap(ipaddr.parse(bare)) : undefined;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries: classify and match that. */
export function unmap(ip: Ip): Ip {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

/** True when `ip` lies in `[net, bits]` (an IPv4 address never matches an IPv6 range, and vice versa). */
export function inRange(ip: Ip, [net, bits]: [Ip, number]): boolean {
  if (ip.kind() !== net.kind()) return false;
  return ip.kind() === 'ipv4'
    ? (ip as ipaddr.IPv4).match(net as ipaddr.IPv4, bits)
    : (ip as ipaddr.IPv6).match(net as ipaddr.IPv6, bits);
}

/** True for a cloud metadata endpoint (169.254.169.254, fd00:ec2::254, ...). */
export function isMetadata(ip: Ip): boolean {
  return METADATA.includes(unmap(ip).toNormalizedString());
}

/**
 * True for public unicast: not loopback, private (RFC 1918, ULA), link-local, metadata, CGNAT, multicast,
 * broadcast, unspecified, reserved or documentation, nor an IPv6 form that embeds an IPv4 address
 * (6to4, Teredo, NAT64, SIIT) and so could point at any of those.
 */
export function isPublicAddress(ip: Ip): boolean {
  const addr = unmap(ip);
  return addr.range() === 'unicast' && !EXTRA_DENIED.some((r) => inRange(addr, r));
}
