import { lookup } from 'node:dns/promises';

/**
 * Answers a host name with its addresses (every one, IPv4 and IPv6). The guard checks each answer
 * and connects to one of them, so whatever answers here is the only lookup a request makes.
 */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** Resolves through the system resolver (getaddrinfo: /etc/hosts, then DNS), every address. */
export const systemResolver: HostResolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
};

/**
 * Answers the given names from a fixed table (lower case, like curl's `--resolve HOST:PORT:ADDR`
 * without the port) and every other name through `fallback`.
 */
export function fixedResolver(
  table: Readonly<Record<string, readonly string[]>>,
  fallback: HostResolver = systemResolver,
): HostResolver {
  const entries = new Map(Object.entries(table).map(([name, addresses]) => [normalName(name), addresses]));
  return async (hostname) => {
    const fixed = entries.get(normalName(hostname));
    return fixed === undefined ? fallback(hostname) : [...fixed];
  };
}

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
