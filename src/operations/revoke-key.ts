import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { ApiKeySchema } from './key-schemas.js';

/** Revokes an API key at once: the next request with it gets 401. */
export const revokeKey = defineOperation({
  name: 'keys.revoke',
  description: 'Revoke an API key by id or name; it stops working with the next request.',
  input: z.strictObject({ id: z.string().min(1).max(200).describe('key id or name') }),
  output: ApiKeySchema,
  humanOnly: true,
  permission: 'keys.admin',
  tenancy: 'all',
  http: { method: 'POST', path: '/v1/keys/:id/revoke' },
  handler: (runtime, input, actor) => runtime.keys.revoke(input.id, actor),
});
