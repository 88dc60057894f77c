import { z } from 'zod';
import { defineOperation } from './define-operation.js';

/** Liveness and the runtime's model setup. */
export const health = defineOperation({
  name: 'health',
  description: 'Liveness check; reports the default model and whether it is the simulated one.',
  input: z.strictObject({}),
  output: z.object({ status: z.literal('ok'), defaultModel: z.string(), simulated: z.boolean() }),
  permission: 'health.read',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/health' },
  async handler(runtime) {
    return {
      status: 'ok' as const,
      defaultModel: runtime.models.defaultModel,
      simulated: runtime.models.notice !== undefined,
    };
  },
});
