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
  NAME_PATTERN,
  NAME_RULE,
} from './agent-spec.js';
export type { AgentSpec, ModelRequirements, SubTeamSpec, TeamSpec, TopologyName } from './agent-spec.js';
export { AgentsConfigSchema } from './agents-config.js';
export { expectedInputTokens } from './expected-input.js';
export { loadAgentFile, loadTeamFile } from './load-spec-file.js';
export { importCrewAi } from './crewai-import.js';
export { AGENTD_BUILTIN_TOOLS, mapTool } from './crewai-tools.js';
export type { CrewAiFile, CrewAiImportInput, CrewAiImportResult, ImportNote } from './crewai-import.js';
export { nativeAgentRunner } from './native-agent.js';
export { agentRunner, AGENT_KIND_RUNNERS } from './kinds/agent-kinds.js';
export { AGENT_KINDS, agentKind } from './kinds/kind-fields.js';
export type { AgentKind } from './kinds/kind-fields.js';
export type { ForeignAgentSettings, ModuleImporter } from './kinds/foreign-settings.js';
export type { AiSdkAgentInput } from './kinds/ai-sdk-kind.js';
export type { ProcessInputLine, ProcessOutputLine } from './kinds/process-protocol.js';
export { ProcessOutputLineSchema } from './kinds/process-protocol.js';
export { A2aRemoteSchema } from './a2a/a2a-remote-spec.js';
export type { A2aRemote } from './a2a/a2a-remote-spec.js';
export { createGuardedA2aClient, fetchA2aCard } from './a2a/remote-a2a-agent.js';
export { governedCall } from './governed-call.js';
export type { GovernedCallOutput, GovernedCallRequest } from './governed-call.js';
export { governedModel, VIRTUAL_MODELS } from './gateway/governed-model.js';
export { createGatewayApp } from './gateway/gateway-app.js';
export { openAiError } from './gateway/openai-chat-response.js';
export type { GatewayAccess, GatewayAppOptions, GatewayCall } from './gateway/gateway-app.js';
