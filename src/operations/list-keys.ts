import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { ApiKeySchema } from './key-schemas.js';

/** Lists API keys (never the keys themselves). */
export const listKeys = defineOperation({
  name: 'keys.list',
  description:
    'List API keys, newest first: name, prefix, role, tenant, expiry, last use. Revoked ones with all=true.',
  input: z.strictObject({
    all: z.stringbool().optional().describe('include revoked keys'),
  }),
  output: z.object({ keys: z.array(ApiKeySchema) }),
  permission: 'keys.admin',
  tenancy: 'all',
  http: { method: 'GET', path: '/v1/keys' },
  async handler(runtime, input) {
    return { keys: await runtime.keys.list({ includeRevoked: input.all === true }) };
  },
});
