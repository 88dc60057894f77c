import { z } from 'zod';
import { AgentCard } from '@a2a-js/sdk';
import { fetchA2aCard } from '../agents/index.js';
import { createNetGuard, NetConfigSchema } from '../security/index.js';
import { defineOperation } from './define-operation.js';

// The parts of the masked config the fetch reads; runtime.settings.config is typed as an open record.
const NetSectionSchema = z.object({
  security: z.object({ net: NetConfigSchema.prefault({}) }).prefault({}),
});

/** A remote A2A agent's card, fetched through the outbound-request guard (`security.net`). */
export const fetchAgentCard = defineOperation({
  name: 'a2a.card',
  description:
    "Fetch a remote A2A agent's Agent Card (from URL/.well-known/agent-card.json) through the outbound-request guard and return it as A2A 1.0 JSON.",
  input: z.strictObject({
    url: z.string().url().max(4096).describe('Base URL of the remote A2A agent'),
  }),
  output: z.record(z.string(), z.json()),
  // It makes the server send a request from its network position, like net.check resolves from it.
  permission: 'config.read',
  tenancy: 'none',
  http: { method: 'POST', path: '/v1/a2a/card' },
  handler: async (runtime, input) => {
    const { net } = NetSectionSchema.parse(runtime.settings.config).security;
    const card = await fetchA2aCard(input.url, createNetGuard({ config: net }));
    return AgentCard.toJSON(card) as Record<string, z.infer<ReturnType<typeof z.json>>>;
  },
});
