// Range math and address parsing come from ipaddr.js (a maintained library); what counts as
// reachable, and how addresses that embed an IPv4 address are unwrapped, is written here.
import ipaddr from 'ipaddr.js';

/** A parsed IPv4 or IPv6 address. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses an address literal (`127.0.0.1`, `::1`, `[::1]`); undefined when the text is not one. */
export function parseAddress(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // Strict forms only (four decimal parts, or IPv6): odd spellings were normalised by the URL parser,
  // and a resolver answer in any other form is not an address.
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (ipaddr.IPv6.isValid(bare) && !bare.includes('%')) return ipaddr.IPv6.parse(bare);
  return undefined;
}

const v6 = (cidr: string): [ipaddr.IPv6, number] => ipaddr.IPv6.parseCIDR(cidr);

const GLOBAL_UNICAST_V6 = v6('2000::/3');
const NAT64_WELL_KNOWN = v6('64:ff9b::/96');
const NAT64_LOCAL_USE = v6('64:ff9b:1::/48');
const IPV4_COMPATIBLE = v6('::/96');
const SIX_TO_FOUR = v6('2002::/16');
const TEREDO = v6('2001::/32');

/** ipaddr.js range names, said the way a blocked-request reason reads. */
const RANGE_WORDS: Record<string, string> = {
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  multicast: 'multicast address',
  linkLocal: 'link-local address',
  loopback: 'loopback address',
  carrierGradeNat: 'carrier-grade NAT address (100.64.0.0/10)',
  private: 'private address',
  reserved: 'reserved address',
  uniqueLocal: 'unique-local address (fc00::/7)',
  ipv4Mapped: 'IPv4-mapped address',
  rfc6145: 'IPv4-translated address',
  rfc6052: 'NAT64 address',
  '6to4': '6to4 address',
  teredo: 'Teredo address',
  benchmarking: 'benchmarking address',
  discard: 'discard-only address',
  deprecatedSiteLocal: 'site-local address (fec0::/10)',
};

/**
 * Why `address` must not be connected to, or undefined when it is a public unicast address.
 * Default-deny: an IPv4 address must be in no special range; an IPv6 address must be global
 * unicast (2000::/3) in no special range. Forms that carry an IPv4 address (IPv4-mapped, the
 * well-known NAT64 prefix) are judged by that address, since the connection reaches it; forms
 * that are deprecated or local (IPv4-compatible, 6to4, Teredo, local-use NAT64) are refused.
 */
export function blockedAddressReason(address: IpAddress): string | undefined {
  if (address.kind() === 'ipv4') return ipv4Reason(address as ipaddr.IPv4);
  const ip = address as ipaddr.IPv6;
  const text = ip.toString();
  if (ip.isIPv4MappedAddress()) {
    const inner = ip.toIPv4Address();
    const reason = ipv4Reason(inner);
    return reason === undefined ? undefined : `IPv4-mapped ${text} embeds ${inner.toString()}: ${reason}`;
  }
  if (ip.match(NAT64_WELL_KNOWN)) {
    const inner = embeddedIpv4(ip, 96);
    const reason = ipv4Reason(inner);
    return reason === undefined ? undefined : `NAT64 ${text} embeds ${inner.toString()}: ${reason}`;
  }
  if (ip.match(NAT64_LOCAL_USE)) return `local-use NAT64 address ${text} (64:ff9b:1::/48)`;
  const range = ip.range();
  if (range === 'unspecified' || range === 'loopback') return `${RANGE_WORDS[range]} ${text}`;
  if (ip.match(IPV4_COMPATIBLE)) {
    return `IPv4-compatible address ${text} (deprecated; embeds ${embeddedIpv4(ip, 96).toString()})`;
  }
  if (ip.match(SIX_TO_FOUR)) return `6to4 address ${text} (embeds ${embeddedIpv4(ip, 16).toString()})`;
  if (ip.match(TEREDO)) return `Teredo address ${text}`;
  if (range !== 'unicast') return `${RANGE_WORDS[range] ?? `${range} address`} ${text}`;
  if (!ip.match(GLOBAL_UNICAST_V6)) return `non-global IPv6 address ${text} (outside 2000::/3)`;
  return undefined;
}

function ipv4Reason(ip: ipaddr.IPv4): string | undefined {
  const range = ip.range();
  if (range === 'unicast') return undefined;
  if (ip.toString() === '169.254.169.254') return 'cloud metadata address 169.254.169.254 (link-local)';
  return `${RANGE_WORDS[range] ?? `${range} address`} ${ip.toString()}`;
}

/** The IPv4 address in the 32 bits of `ip` that start at bit `offset`. */
function embeddedIpv4(ip: ipaddr.IPv6, offset: number): ipaddr.IPv4 {
  const bytes = ip.toByteArray().slice(offset / 8, offset / 8 + 4);
  return new ipaddr.IPv4(bytes);
}

/** The IPv4 address an IPv4-mapped IPv6 address carries; any other address as it is. */
export function unwrapMapped(address: IpAddress): IpAddress {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}
