import { z } from 'zod';
import { createNetGuard, fixedResolver, NetConfigSchema, parseAddress } from '../security/index.js';
import { UnsafeUrlError } from '../core/errors.js';
import { defineOperation } from './define-operation.js';

// The parts of the masked config the check reads; runtime.settings.config is typed as an open record.
const NetSectionSchema = z.object({
  security: z.object({ net: NetConfigSchema.prefault({}) }).prefault({}),
});

/**
 * Whether agentd's guarded client would fetch a URL, with the reason when it would not: the same
 * guard and `security.net` allowlist the `http_fetch` tool uses. Nothing is fetched.
 */
export const checkUrl = defineOperation({
  name: 'net.check',
  description:
    'Check a URL against the outbound-request guard (schemes, ports, private and special addresses, the security.net allowlist) without fetching it.',
  input: z.strictObject({
    url: z.string().min(1).max(4096),
    /** Names answered without DNS, like curl's `--resolve`: host → addresses. */
    resolve: z
      .record(
        z.string().min(1).max(253),
        z
          .array(z.string().refine((text) => parseAddress(text) !== undefined, 'not an IPv4 or IPv6 address'))
          .min(1)
          .max(16),
      )
      .refine((table) => Object.keys(table).length <= 32, 'at most 32 names')
      .default({})
      .describe('Answers for host names, used instead of DNS (e.g. {"example.com": ["93.184.216.34"]})'),
  }),
  output: z.object({
    allowed: z.boolean(),
    /** Why the URL is blocked; null when it is allowed. */
    reason: z.string().nullable(),
    /** The checked address a request would connect to; null when blocked. */
    address: z.string().nullable(),
  }),
  // It resolves names from the server's network position, which is itself worth protecting.
  permission: 'config.read',
  tenancy: 'none',
  http: { method: 'POST', path: '/v1/net/check' },
  handler: async (runtime, input) => {
    const { net } = NetSectionSchema.parse(runtime.settings.config).security;
    const guard = createNetGuard({ config: net, resolve: fixedResolver(input.resolve) });
    try {
      const target = await guard.check(input.url);
      return { allowed: true, reason: null, address: target.address };
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      const reason = (error.details?.['reason'] as string | undefined) ?? error.message;
      return { allowed: false, reason, address: null };
    }
  },
});
