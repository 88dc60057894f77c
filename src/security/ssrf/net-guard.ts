import { UnsafeUrlError } from '../../core/errors.js';
import { blockedAddressReason, parseAddress, unwrapMapped } from './address-policy.js';
import type { IpAddress } from './address-policy.js';
import { isHostName, parseNetAllowlist } from './net-allowlist.js';
import type { NetAllowlist } from './net-allowlist.js';
import { NetConfigSchema } from './net-config.js';
import type { NetConfig } from './net-config.js';
import './net-error-codes.js';
import { systemResolver } from './host-resolver.js';
import type { HostResolver } from './host-resolver.js';

/** A URL that passed the guard, with the one address the request must connect to. */
export interface CheckedTarget {
  url: URL;
  /** The host as the request names it (Host header, TLS server name): lower case, no brackets. */
  hostname: string;
  port: number;
  /** The checked address to connect to; connecting anywhere else would undo the check. */
  address: string;
  family: 4 | 6;
}

/** Checks URLs against `security.net`; every outbound request agentd makes for a user or model goes through one. */
export interface NetGuard {
  /** The effective settings (limits, ports, allowlist). */
  readonly config: NetConfig;
  /**
   * Normalises, resolves (once) and checks `url`; returns the target to connect to or throws
   * {@link UnsafeUrlError} with code `net.blocked` (or `net.invalid_url`) and the reason.
   */
  check(url: string | URL): Promise<CheckedTarget>;
}

/** Options of {@link createNetGuard}. */
export interface NetGuardOptions {
  /** `security.net` (defaults apply to missing keys). */
  config?: Partial<NetConfig>;
  /** Answers host names (default: the system resolver); tests and `--resolve` inject their own. */
  resolve?: HostResolver;
}

/** The schemes the guard lets through. */
const SCHEMES = new Set(['http:', 'https:']);

/** Builds the guard: the allowlist is parsed here, so a bad entry fails at startup, naming it. */
export function createNetGuard(options: NetGuardOptions = {}): NetGuard {
  const config = NetConfigSchema.parse(options.config ?? {});
  const allowlist = parseNetAllowlist(config.allow);
  const resolve = options.resolve ?? systemResolver;
  const ports = new Set(config.ports);
  return {
    config,
    async check(input) {
      const url = parseUrl(input);
      // Brackets off an IPv6 literal; a trailing dot off a name (`example.com.` is `example.com`).
      const hostname = url.hostname.startsWith('[')
        ? url.hostname.slice(1, -1)
        : url.hostname.replace(/\.$/, '');
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      if (!ports.has(port)) {
        throw blocked(url, `port ${port} is not allowed (allowed: ${[...ports].join(', ')})`);
      }
      const literal = parseAddress(hostname);
      if (literal !== undefined) {
        return target(url, hostname, port, checkAddress(url, literal, allowlist, false));
      }
      if (!isHostName(hostname)) throw blocked(url, `'${hostname}' is not a valid host name`);
      const nameAllowed = allowlist.allowsName(hostname);
      // RFC 6761: these names are the local machine whatever a resolver says, so no answer is trusted.
      if (!nameAllowed && (hostname === 'localhost' || hostname.endsWith('.localhost'))) {
        throw blocked(url, `'${hostname}' names the local machine`);
      }
      let answers: string[];
      try {
        answers = await resolve(hostname);
      } catch (error) {
        const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw blocked(url, `cannot resolve '${hostname}' (${why})`, error);
      }
      if (answers.length === 0) throw blocked(url, `cannot resolve '${hostname}' (no addresses)`);
      const addresses = answers.map((answer) => {
        const address = parseAddress(answer);
        if (address === undefined)
          throw blocked(url, `'${hostname}' resolved to '${answer}', not an address`);
        return address;
      });
      // Every answer is checked, not only the one used: a name with one private answer is a name
      // someone pointed inside, and which answer a later client picks is not ours to predict.
      for (const address of addresses) checkAddress(url, address, allowlist, nameAllowed, hostname);
      const first = addresses[0] as IpAddress;
      return target(url, hostname, port, first);
    },
  };
}

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    // The WHATWG parser normalises host spellings first: decimal (2130706433), octal (0177.0.0.1),
    // hex (0x7f.1), short (127.1), percent-encoded and full-width digits, trailing dots, case; and
    // takes userinfo (`http://evil@127.0.0.1`) apart, so the host checked is the host connected to.
    url = new URL(typeof input === 'string' ? input.trim() : input.href);
  } catch (error) {
    throw new UnsafeUrlError({
      code: 'net.invalid_url',
      message: `not a valid absolute URL: '${String(input).slice(0, 200)}'`,
      details: { reason: 'invalid URL' },
      cause: error,
    });
  }
  if (!SCHEMES.has(url.protocol)) {
    throw blocked(url, `scheme '${url.protocol.replace(/:$/, '')}' is not allowed (only http and https)`);
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and Referer headers; and `user@host` is a classic disguise.
    throw blocked(url, 'URLs with user info (user:password@) are not allowed');
  }
  return url;
}

function checkAddress(
  url: URL,
  address: IpAddress,
  allowlist: NetAllowlist,
  nameAllowed: boolean,
  hostname?: string,
): IpAddress {
  if (nameAllowed || allowlist.allowsAddress(address)) return address;
  const reason = blockedAddressReason(address);
  if (reason !== undefined) {
    throw blocked(url, hostname === undefined ? reason : `'${hostname}' resolves to ${reason}`);
  }
  return address;
}

function target(url: URL, hostname: string, port: number, address: IpAddress): CheckedTarget {
  // An IPv4-mapped answer is connected to as the IPv4 address it carries (the same host, and an
  // IPv4-only machine can reach it).
  const connect = unwrapMapped(address);
  return {
    url,
    hostname,
    port,
    address: connect.toString(),
    family: connect.kind() === 'ipv4' ? 4 : 6,
  };
}

/** The error for a refused URL: code `net.blocked`, the reason in the message and in `details.reason`. */
export function blocked(url: URL, reason: string, cause?: unknown): UnsafeUrlError {
  return new UnsafeUrlError({
    code: 'net.blocked',
    message: `blocked: ${reason} (${redactedUrl(url)})`,
    details: { reason, url: redactedUrl(url) },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The URL without user info, query or fragment, cut to a readable length (errors are shown to models and logs). */
function redactedUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200);
}
