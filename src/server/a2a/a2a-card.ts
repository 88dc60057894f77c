import { A2A_PROTOCOL_VERSION } from '@a2a-js/sdk';
import type { AgentCard, AgentSkill, SecurityScheme } from '@a2a-js/sdk';

/** The path of the JSON-RPC binding, under `/v1` so the API's authentication applies to it. */
export const A2A_RPC_PATH = '/v1/a2a';

/** What the card says about this server. */
export interface A2aCardOptions {
  /** The server's origin as the client reached it, e.g. `http://127.0.0.1:7070`. */
  origin: string;
  version: string;
  /** Whether requests need `Authorization: Bearer` (a server token, hence API keys too). */
  bearer: boolean;
}

/** The one skill of an agentd server without named agents or teams: any task, routed and judged. */
const RUN_TASK_SKILL: AgentSkill = {
  id: 'run-task',
  name: 'Run a task',
  description:
    'Runs a task described in plain text with agentd: the router picks the model, budgets and quality checks apply, and the answer is returned as text.',
  tags: ['general', 'task'],
  examples: ['Summarise the trade-offs of SQLite versus Postgres for a small service.'],
  inputModes: ['text/plain'],
  outputModes: ['text/plain'],
  securityRequirements: [],
};

/** The server's A2A 1.0 Agent Card (SDK shape; serve it with `AgentCard.toJSON`). */
export function buildAgentCard(options: A2aCardOptions): AgentCard {
  const securitySchemes: Record<string, SecurityScheme> = options.bearer
    ? {
        bearer: {
          scheme: {
            $case: 'httpAuthSecurityScheme',
            value: {
              scheme: 'Bearer',
              bearerFormat: '',
              description: 'The server token (server.authToken) or an agentd API key',
            },
          },
        },
      }
    : {};
  return {
    name: 'agentd',
    description:
      'An agentd server: runs tasks with agents and teams under budgets, model routing, judging and tracing.',
    supportedInterfaces: [
      {
        url: `${options.origin}${A2A_RPC_PATH}`,
        protocolBinding: 'JSONRPC',
        tenant: '',
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
    ],
    provider: undefined,
    version: options.version,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes,
    securityRequirements: options.bearer ? [{ schemes: { bearer: { list: [] } } }] : [],
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/plain'],
    skills: [RUN_TASK_SKILL],
    signatures: [],
  };
}
