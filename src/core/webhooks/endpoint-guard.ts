import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';

/**
 * Where a webhook may not go: loopback, private, carrier-grade NAT, link-local (cloud
 * metadata at 169.254.169.254 and fd00:ec2::254 included), multicast, reserved and
 * unspecified addresses. IPv4-mapped and NAT64 IPv6 forms are judged by their IPv4 address.
 */
const BLOCKED = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net4, prefix, 'ipv4');
for (const [net6, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const)
  BLOCKED.addSubnet(net6, prefix, 'ipv6');

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) address. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

export function isForbiddenAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return BLOCKED.check(v4, 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export class ForbiddenAddressError extends Error {
  constructor(host: string, address: string) {
    super(
      `${host} resolves to ${address}, a loopback, private, link-local or reserved address; refused (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows it)`,
    );
  }
}

/**
 * A `lookup` for the socket that refuses forbidden addresses: the socket connects to exactly
 * the address this returns, so the address checked is the address used (no rebinding gap
 * between a check and a second resolution).
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return (callback as (e: NodeJS.ErrnoException | null, a: string, f: number) => void)(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isForbiddenAddress(a.address));
    if (bad)
      return (callback as (e: Error | null, a: string, f: number) => void)(
        new ForbiddenAddressError(hostname, bad.address),
        '',
        0,
      );
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
  });
};

/** `http:` or `https:` with a host, else a message saying what is wrong. */
export function webhookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'The webhook url must be a valid URL.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The webhook url must use http or https.';
  if (!url.hostname) return 'The webhook url must name a host.';
  if (url.username || url.password) return 'The webhook url must not carry credentials.';
  return null;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Save-time check: refuses a host that is, or resolves now to, a forbidden address. A host
 * that does not resolve yet is accepted (delivery checks again, on every attempt).
 */
export async function endpointProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  const shape = webhookUrlProblem(raw);
  if (shape || allowPrivate) return shape;
  const host = hostOf(new URL(raw));
  if (net.isIP(host)) return isForbiddenAddress(host) ? PRIVATE_MESSAGE : null;
  const addresses = await Promise.race([
    dns.promises.lookup(host, { all: true }).catch(() => [] as dns.LookupAddress[]),
    new Promise<dns.LookupAddress[]>((resolve) => setTimeout(() => resolve([]), 3000).unref()),
  ]);
  return addresses.some((a) => isForbiddenAddress(a.address)) ? PRIVATE_MESSAGE : null;
}

export const PRIVATE_MESSAGE = 'The webhook url must not point to a loopback, private or link-local address.';
