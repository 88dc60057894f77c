import { z } from 'zod';
import { AuthConfigSchema } from './auth/auth-config.js';
import { PiiPolicyConfigSchema } from './pii-policy-config.js';
import { NetConfigSchema } from './ssrf/net-config.js';

/** The `security` config section. */
export const SecurityConfigSchema = z.strictObject({
  pii: PiiPolicyConfigSchema.prefault({}),
  auth: AuthConfigSchema.prefault({}),
  /** Outbound requests for users and models (the `http_fetch` tool): see docs/security/net.md. */
  net: NetConfigSchema.prefault({}),
});

/** The `security.pii.memory` policy. */
export type MemoryPiiPolicy = z.infer<typeof PiiPolicyConfigSchema>['memory'];
