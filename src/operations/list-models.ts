import { z } from 'zod';
import { defineOperation } from './define-operation.js';

/** The model catalog, with which models a configured provider serves. */
export const listModels = defineOperation({
  name: 'models.list',
  description: 'The model catalog: prices per 1M tokens, context window, capabilities, and availability.',
  input: z.strictObject({}),
  output: z.object({
    defaultModel: z.string(),
    models: z.array(
      z.object({
        id: z.string(),
        provider: z.string(),
        model: z.string(),
        inputPerMTok: z.number(),
        outputPerMTok: z.number(),
        contextWindow: z.number(),
        capabilities: z.object({ tools: z.boolean(), json: z.boolean(), vision: z.boolean() }),
        known: z.boolean(),
        simulated: z.boolean(),
        available: z.boolean(),
        isDefault: z.boolean(),
      }),
    ),
  }),
  permission: 'catalog.read',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/models' },
  handler: async (runtime) => ({ defaultModel: runtime.models.defaultModel, models: runtime.models.list() }),
});
