import { z } from 'zod';
import { AuthConfigSchema } from './auth/auth-config.js';
import { NetConfigSchema } from './ssrf/net-config.js';

/** What happens to personal data (emails, card numbers, keys… see PII_KINDS) on its way into memory. */
export const MemoryPiiPolicySchema = z.enum(['mask', 'drop', 'keep']);

/** The `security` config section. */
export const SecurityConfigSchema = z.strictObject({
  pii: z
    .strictObject({
      /**
       * Memory is shared by every later task of the tenant and recalled into prompts for any model.
       * `mask` (default): each value is replaced for good by a placeholder of its kind (`[EMAIL_1]`);
       * `drop`: a memory that contains any is not written; `keep`: stored as it is (tagged `pii`).
       */
      memory: MemoryPiiPolicySchema.default('mask'),
    })
    .prefault({}),
  auth: AuthConfigSchema.prefault({}),
  /** Outbound requests for users and models (the `http_fetch` tool): see docs/security/net.md. */
  net: NetConfigSchema.prefault({}),
});

/** The `security.pii.memory` policy. */
export type MemoryPiiPolicy = z.infer<typeof MemoryPiiPolicySchema>;
