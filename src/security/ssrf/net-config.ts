import { z } from 'zod';

/** The ports outbound requests may use unless `security.net.ports` says otherwise. */
export const DEFAULT_NET_PORTS: readonly number[] = [80, 443];

/**
 * The `security.net` config section: what the guarded client (the `http_fetch` tool, and later
 * webhooks, MCP over HTTP, the A2A client) may reach besides public addresses.
 */
export const NetConfigSchema = z.strictObject({
  /**
   * Opened explicitly, although private or special: host names (`intranet.example`), wildcard
   * domains (`*.corp.example`, which matches sub-domains only), single addresses or CIDR ranges
   * (`10.1.0.0/16`, `fd00::/8`). Empty by default: only public unicast addresses are reachable.
   */
  allow: z.array(z.string().min(1)).default([]),
  /** The destination ports allowed (default 80 and 443). */
  ports: z
    .array(z.number().int().min(1).max(65535))
    .min(1)
    .default([...DEFAULT_NET_PORTS]),
  /** Redirects followed per request, each re-checked like the first URL. */
  maxRedirects: z.number().int().min(0).max(20).default(5),
  /** Time limit of one request including its redirects, ms. */
  timeoutMs: z.number().int().positive().max(300_000).default(15_000),
  /** Bytes of a response body read at most; the rest is cut off and reported as truncated. */
  maxBytes: z
    .number()
    .int()
    .positive()
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
});

/** The `security.net` section, defaults applied. */
export type NetConfig = z.infer<typeof NetConfigSchema>;
