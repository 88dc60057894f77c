export type {
  AgentContext,
  AgentGateway,
  GatewayRequest,
  GatewaySession,
  AgentInput,
  AgentResult,
  AgentRouting,
  AgentRunner,
  AnswerCheck,
} from './agent-runner.js';
export type { CallPolicy, CallRestorer, PreparedCall } from './call-policy.js';
export { mapPrompt } from './map-prompt.js';
export { chainCallPolicies, createPiiCallGuard } from './pii-call-guard.js';
export {
  AgentSpecSchema,
  defaultAgent,
  ModelRequirementsSchema,
  SubTeamSpecSchema,
  TeamSpecSchema,
  TOPOLOGY_NAMES,
} from './agent-spec.js';
export type { AgentSpec, ModelRequirements, SubTeamSpec, TeamSpec, TopologyName } from './agent-spec.js';
export { AgentsConfigSchema } from './agents-config.js';
export { expectedInputTokens } from './expected-input.js';
export { loadAgentFile, loadTeamFile } from './load-spec-file.js';
export { importCrewAi } from './crewai-import.js';
export { AGENTD_BUILTIN_TOOLS, mapTool } from './crewai-tools.js';
export type { CrewAiFile, CrewAiImportInput, CrewAiImportResult, ImportNote } from './crewai-import.js';
export { nativeAgentRunner } from './native-agent.js';
export { A2aRemoteSchema } from './a2a/a2a-remote-spec.js';
export type { A2aRemote } from './a2a/a2a-remote-spec.js';
export { createGuardedA2aClient, fetchA2aCard } from './a2a/remote-a2a-agent.js';
