import { z } from 'zod';

/** The `security.auth` config section: rate limits on authentication and on each key. */
export const AuthConfigSchema = z.strictObject({
  /** Failed authentications per client address: a burst, then a steady rate, then 429. */
  failedAuth: z
    .strictObject({
      burst: z.number().int().min(1).max(10_000).default(10),
      perMinute: z.number().positive().max(60_000).default(10),
    })
    .prefault({}),
  /** Requests per authenticated key (the server token counts as one key); `enabled: false` turns it off. */
  keyRateLimit: z
    .strictObject({
      enabled: z.boolean().default(true),
      burst: z.number().int().min(1).max(1_000_000).default(200),
      perSecond: z.number().positive().max(1_000_000).default(50),
    })
    .prefault({}),
  /** How often (seconds) the last-use times of keys are written, all in one batch. */
  lastUsedFlushSeconds: z.number().int().min(1).max(86_400).default(60),
});

/** The `security.auth` section as parsed. */
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
