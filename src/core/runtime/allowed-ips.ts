import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/**
 * One entry of a license's allowed_ips: an address (a range of one) or a CIDR range, IPv4 or
 * IPv6; null when it is neither. The address part must be one Node's isIP accepts, because
 * ipaddr.js alone also reads forms like `0x7f.1` that the input check has always refused.
 * An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) is kept as the IPv4 range it spans, so
 * that it and a plain IPv4 range match the same clients.
 */
export function parseIpRange(entry: string): Range | null {
  const slash = entry.indexOf('/');
  if (isIP(slash < 0 ? entry : entry.slice(0, slash)) === 0) return null;
  if (slash >= 0 && !/^[0-9]{1,3}$/.test(entry.slice(slash + 1))) return null;
  let range: Range;
  try {
    if (slash >= 0) range = ipaddr.parseCIDR(entry);
    else {
      const address = ipaddr.parse(entry);
      range = [address, address.kind() === 'ipv4' ? 32 : 128];
    }
  } catch {
    return null;
  }
  const [address, bits] = range;
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96)
    return [address.toIPv4Address(), bits - 96];
  return range;
}

/**
 * A license's allowed_ips, parsed once (with its snapshot) and asked per check. A client
 * address arriving IPv4-mapped (`::ffff:127.0.0.1`, as a dual-stack socket reports IPv4
 * peers) is matched as the IPv4 address it is. Entries that do not parse (only a hand edit
 * of the database can store one) match nothing: the list fails closed.
 */
export class IpAllowList {
  private constructor(private readonly ranges: readonly Range[]) {}

  static parse(entries: readonly string[]): IpAllowList {
    return new IpAllowList(entries.map(parseIpRange).filter((r): r is Range => r !== null));
  }

  allows(ip: string): boolean {
    if (isIP(ip) === 0) return false;
    const client = ipaddr.process(ip);
    return this.ranges.some(([network, bits]) => network.kind() === client.kind() && client.match(network, bits));
  }
}
