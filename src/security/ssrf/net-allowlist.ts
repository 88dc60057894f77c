import { AgentdError } from '../../core/errors.js';
import '../../config/config-error-codes.js';
import { parseAddress, unwrapMapped } from './address-policy.js';
import type { IpAddress } from './address-policy.js';
import ipaddr from 'ipaddr.js';

/** `security.net.allow`, parsed: which names and addresses are opened although not public. */
export interface NetAllowlist {
  /** Whether the host name (lower case, no trailing dot) is listed, exactly or under a `*.` domain. */
  allowsName(hostname: string): boolean;
  /** Whether the address is in a listed address or range. */
  allowsAddress(address: IpAddress): boolean;
}

/**
 * Parses allowlist entries: `host.example`, `*.example` (sub-domains only), an address, or a CIDR
 * range. An entry that is none of these is a config error naming it, not an entry silently ignored.
 */
export function parseNetAllowlist(entries: readonly string[]): NetAllowlist {
  const names = new Set<string>();
  const domains: string[] = [];
  const ranges: [IpAddress, number][] = [];
  entries.forEach((raw, index) => {
    const entry = raw.trim().toLowerCase().replace(/\.$/, '');
    const invalid = (why: string): AgentdError =>
      new AgentdError({
        code: 'config.invalid',
        message: `security.net.allow[${index}] '${raw}': ${why}`,
        path: `security.net.allow.${index}`,
      });
    if (entry.includes('/')) {
      try {
        const [address, bits] = ipaddr.parseCIDR(entry);
        ranges.push([address, bits]);
      } catch {
        throw invalid('not a CIDR range (e.g. 10.0.0.0/8, fd00::/8)');
      }
      return;
    }
    const address = parseAddress(entry);
    if (address !== undefined) {
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      return;
    }
    if (entry.startsWith('*.')) {
      const domain = entry.slice(2);
      if (!HOST_NAME.test(domain)) throw invalid('not a wildcard domain (e.g. *.corp.example)');
      domains.push(domain);
      return;
    }
    if (!HOST_NAME.test(entry)) throw invalid('not a host name, wildcard domain, address or CIDR range');
    names.add(entry);
  });
  return {
    allowsName(hostname) {
      const name = hostname.toLowerCase().replace(/\.$/, '');
      return names.has(name) || domains.some((domain) => name.endsWith(`.${domain}`));
    },
    allowsAddress(address) {
      // An IPv4-mapped address is the IPv4 address it carries, for ranges written either way.
      const unwrapped = unwrapMapped(address);
      return ranges.some(
        ([range, bits]) => range.kind() === unwrapped.kind() && unwrapped.match(range, bits),
      );
    },
  };
}

/** A DNS host name in the ASCII form the URL parser produces (labels of letters, digits, `-`, `_`). */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Whether `hostname` is a plain DNS name (see {@link HOST_NAME}). */
export function isHostName(hostname: string): boolean {
  return HOST_NAME.test(hostname);
}
