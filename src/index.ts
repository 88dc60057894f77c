/**
 * agentd as a library: `createRuntime()` and the types of its facade, plus the pieces a
 * program embedding agentd needs (agent specs, tools, the HTTP app).
 */
export { createRuntime, TaskInputSchema } from './runtime/index.js';
export type { ListedModel, Runtime, RuntimeOptions, TaskInput } from './runtime/index.js';
export type { TaskResult } from './executor/index.js';
export type { TaskEvent, TaskEventMap, TaskEventType } from './core/events.js';
export { AgentdError } from './core/errors.js';
export { AgentSpecSchema, TeamSpecSchema, loadAgentFile, loadTeamFile } from './agents/index.js';
export type { AgentSpec, TeamSpec } from './agents/index.js';
export { defineTool, detectShellIsolation } from './tools/index.js';
export type { ShellIsolation, ToolDefinition } from './tools/index.js';
export type { ModelInfo, ModelProvider } from './models/index.js';
export { createApp, startServer } from './server/index.js';
