// An OpenAI Agents SDK agent with one tool. agentd runs it with the SDK's Runner, the model provider
// pointed at its gateway; each tool call becomes an execute_tool span under the agent's span.
import { Agent, tool } from '@openai/agents';
import { z } from 'zod';

const checklist = tool({
  name: 'packing_checklist',
  description: 'What to pack for a kind of weather',
  parameters: z.object({ weather: z.enum(['rain', 'sun', 'snow']) }),
  execute: async ({ weather }) =>
    ({ rain: 'umbrella, rain jacket', sun: 'hat, sunscreen', snow: 'boots, gloves' })[weather],
});

/** The agent agentd runs. */
export const packer = new Agent({
  name: 'packer',
  instructions: 'Say what to pack. Use the packing_checklist tool.',
  tools: [checklist],
});
