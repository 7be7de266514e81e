/**
 * The egress policy of `http` and `integration` tasks: a connection may go to a public unicast address, or
 * wherever the deployment's allow-list (EGRESS_ALLOW) says. It is asked about the address actually connected
 * to, after DNS resolution (see client.ts), for the first request and for every redirect.
 *
 * Allow-list entries:
 * - `10.0.0.0/8`, `fd00::/8`: a CIDR range of connected addresses (any port);
 * - `127.0.0.1`, `::1`: one address; `127.0.0.1:8080`, `[::1]:8080`: one address and port;
 * - `api.internal`, `api.internal:8443`: a URL host name (any address it resolves to), optionally one port;
 * - `*.svc.cluster.local`: every subdomain of a name (optionally with `:port`).
 * Cloud metadata addresses (169.254.169.254, fd00:ec2::254, ...) are opened only by an entry naming that exact
 * address: neither a range nor a host name reaches them by accident.
 */
import ipaddr from 'ipaddr.js';
import { inRange, isMetadata, isPublicAddress, parseIp } from './addresses';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** Where a connection is about to go. */
export interface EgressTarget {
  /** The URL's host name (lower case, without brackets). */
  host: string;
  port: number;
  /** The IP address the socket connects to (after DNS resolution). */
  address: string;
}

/** Decides whether a connection may be made. */
export interface EgressPolicy {
  allows(target: EgressTarget): boolean;
}

type Entry =
  | { kind: 'range'; range: [Ip, number]; exact: boolean; port?: number }
  | { kind: 'host'; name: string; subdomains: boolean; port?: number };

/** A malformed EGRESS_ALLOW entry. */
export class EgressAllowListError extends Error {
  constructor(entry: string, why: string) {
    super(`EGRESS_ALLOW entry ${JSON.stringify(entry)}: ${why}`);
    this.name = 'EgressAllowListError';
  }
}

function port(text: string, entry: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65535) throw new EgressAllowListError(entry, 'port must be 1-65535');
  return n;
}

function parseEntry(entry: string): Entry {
  if (entry.includes('/')) {
    try {
      const [net, bits] = ipaddr.parseCIDR(entry);
      return { kind: 'range', range: [net, bits], exact: bits === (net.kind() === 'ipv4' ? 32 : 128) };
    } catch {
      throw new EgressAllowListError(entry, 'not a CIDR range (e.g. 10.0.0.0/8, fd00::/8)');
    }
  }
  const ip = parseIp(entry);
  if (ip) return { kind: 'range', range: [ip, ip.kind() === 'ipv4' ? 32 : 128], exact: true };
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(entry);
  const hostPort = bracketed ?? /^([^:]+):(\d+)$/.exec(entry);
  const host = hostPort ? hostPort[1] : entry;
  const p = hostPort ? port(hostPort[2], entry) : undefined;
  const hostIp = parseIp(host);
  if (hostIp) return { kind: 'range', range: [hostIp, hostIp.kind() === 'ipv4' ? 32 : 128], exact: true, port: p };
  const m = /^(\*\.)?((?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/i.exec(
    host,
  );
  if (!m || bracketed)
    throw new EgressAllowListError(entry, 'expected a host name, host:port, IP address, IP:port or CIDR range');
  return { kind: 'host', name: m[2].toLowerCase(), subdomains: Boolean(m[1]), port: p };
}

/** Parses EGRESS_ALLOW's entries (comma or whitespace separated); throws EgressAllowListError on a bad one. */
export function parseAllowList(list: string | readonly string[] | undefined): Entry[] {
  const entries = typeof list === 'string' ? list.split(/[\s,]+/) : [...(list ?? [])];
  return entries
    .map((e) => e.trim())
    .filter(Boolean)
    .map(parseEntry);
}

function entryAllows(e: Entry, t: EgressTarget, ip: Ip): boolean {
  if (e.port !== undefined && e.port !== t.port) return false;
  if (e.kind === 'range') return inRange(ip, e.range) && (e.exact || !isMetadata(ip));
  if (isMetadata(ip)) return false;
  const host = t.host.toLowerCase();
  return e.subdomains ? host.endsWith(`.${e.name}`) : host === e.name;
}

/** Builds the policy over an allow-list (default: public unicast only). */
export function createEgressPolicy(allow?: string | readonly string[]): EgressPolicy {
  const entries = parseAllowList(allow);
  return {
    allows(t) {
      const ip = parseIp(t.address);
      if (!ip) return false;
      return isPublicAddress(ip) || entries.some((e) => entryAllows(e, t, ip));
    },
  };
}
