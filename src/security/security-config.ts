import { z } from 'zod';
import { PiiPolicyConfigSchema } from './pii-policy-config.js';

/** The `security` config section. */
export const SecurityConfigSchema = z.strictObject({
  pii: PiiPolicyConfigSchema.prefault({}),
});

/** The `security.pii.memory` policy. */
export type MemoryPiiPolicy = z.infer<typeof PiiPolicyConfigSchema>['memory'];
