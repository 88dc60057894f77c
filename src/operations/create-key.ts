import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { ApiKeySchema, LifetimeSchema, RoleSchema } from './key-schemas.js';

/** Creates an API key; the key itself is in this answer and nowhere else, ever. */
export const createKey = defineOperation({
  name: 'keys.create',
  description:
    'Create an API key with a role (admin, operator, viewer, agent), optionally bound to one tenant and with a lifetime. The answer holds the key itself: it is shown this once and stored only as a hash.',
  input: z.strictObject({
    name: z.string().min(1).max(64).describe('a name unique among keys in force (letters, digits, . _ -)'),
    role: RoleSchema,
    tenant: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('bind the key to this tenant (default: every tenant)'),
    expires: LifetimeSchema.optional().describe('lifetime, e.g. 12h, 30d, 52w (default: none)'),
  }),
  output: ApiKeySchema.extend({ key: z.string().describe('the key: shown once, keep it secret') }),
  humanOnly: true,
  permission: 'keys.admin',
  tenancy: 'all',
  http: { method: 'POST', path: '/v1/keys', status: 201 },
  async handler(runtime, input, actor) {
    const { key, record } = await runtime.keys.create(
      {
        name: input.name,
        role: input.role,
        ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
        ...(input.expires !== undefined ? { expiresInMs: input.expires } : {}),
      },
      actor,
    );
    return { ...record, key };
  },
});
