import { z } from 'zod';
import { defineOperation } from './define-operation.js';

/** The effective configuration, secrets masked. */
export const checkConfig = defineOperation({
  name: 'config.check',
  description: 'The effective configuration (files, environment, defaults) with secrets masked.',
  input: z.strictObject({}),
  output: z.object({
    config: z.record(z.string(), z.unknown()),
    defaultModel: z.string(),
    notice: z.string().nullable(),
  }),
  permission: 'admin',
  http: { method: 'GET', path: '/v1/config' },
  handler: async (runtime) => ({
    config: runtime.config,
    defaultModel: runtime.defaultModel,
    notice: runtime.notice ?? null,
  }),
});
