import { z } from 'zod';
import { ROLE_NAMES } from '../security/index.js';

/** An API key as listed: never the key or its hash. */
export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('the non-secret start of the key (agd_<8 hex>), to tell keys apart'),
  role: z.string(),
  tenant: z.string().nullable(),
  createdAt: z.number(),
  createdBy: z.string(),
  expiresAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  lastUsedAt: z
    .number()
    .nullable()
    .describe('last authenticated request, to within security.auth.lastUsedFlushSeconds'),
});

/** A role name. */
export const RoleSchema = z.enum(ROLE_NAMES);

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** A lifetime such as `12h`, `30d` or `52w`, in milliseconds (at most ten years). */
export const LifetimeSchema = z
  .string()
  .regex(/^\d{1,5}[hdw]$/, 'must be a number followed by h, d or w (e.g. 30d)')
  .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS])
  .pipe(
    z
      .number()
      .int()
      .min(3_600_000, 'must be at least 1h')
      .max(3_650 * 86_400_000, 'must be at most 3650d'),
  );
