export type { AgentContext, AgentInput, AgentResult, AgentRunner } from './agent-runner.js';
export { AgentSpecSchema, defaultAgent, ModelRequirementsSchema, TeamSpecSchema } from './agent-spec.js';
export type { AgentSpec, ModelRequirements, TeamSpec } from './agent-spec.js';
export { AgentsConfigSchema } from './agents-config.js';
export { loadAgentFile, loadTeamFile } from './load-spec-file.js';
export { nativeAgentRunner } from './native-agent.js';
