import type { AgentRunner } from '../agent-runner.js';
import { nativeAgentRunner } from '../native-agent.js';
import { a2aAgentRunner } from './a2a-kind.js';
import { aiSdkAgentRunner } from './ai-sdk-kind.js';
import { agentKind } from './kind-fields.js';
import type { AgentKind } from './kind-fields.js';
import { langGraphAgentRunner } from './langgraph-kind.js';
import { openAiAgentsRunner } from './openai-agents-kind.js';
import { processAgentRunner } from './process-kind.js';

/** The runner of each agent kind. */
export const AGENT_KIND_RUNNERS: Readonly<Record<AgentKind, AgentRunner>> = {
  native: nativeAgentRunner,
  a2a: a2aAgentRunner,
  process: processAgentRunner,
  'ai-sdk': aiSdkAgentRunner,
  langgraph: langGraphAgentRunner,
  'openai-agents': openAiAgentsRunner,
};

/**
 * Runs any agent by its kind: the one place a spec's kind picks its runner, so every kind is a
 * member of every topology (the topology calls this runner for each agent's turn).
 */
export const agentRunner: AgentRunner = {
  run(agent, input, ctx) {
    return AGENT_KIND_RUNNERS[agentKind(agent)].run(agent, input, ctx);
  },
};
