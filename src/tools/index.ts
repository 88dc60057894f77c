export {
  defineTool,
  isIdempotentCall,
  type AnyTool,
  type TaskNotes,
  type ToolContext,
  type ToolDefinition,
} from './define-tool.js';
export { createToolRegistry, type ToolRegistry, type ToolSource } from './tool-registry.js';
export {
  createMcpToolSource,
  exposedName,
  MCP_SERVER_ATTRIBUTE,
  MCP_TOOL_PREFIX,
  type McpToolSource,
  type McpToolSourceOptions,
  type McpToolStatus,
} from './mcp-client/mcp-tool-source.js';
export {
  McpConfigSchema,
  mcpEnvReferences,
  type McpConfig,
  type McpServerConfig,
} from './mcp-client-config.js';
export { toolDefinitionHash } from './mcp-client/tool-definition-hash.js';
export {
  builtinTools,
  createHttpFetchTool,
  currentTimeTool,
  listFilesTool,
  readFileTool,
  writeFileTool,
  MAX_LIST_ENTRIES,
  MAX_READ_FILE_BYTES,
  type ListedEntry,
  type HttpFetchOutput,
  createShellTool,
  detectShellIsolation,
  shellEnvironment,
  SHELL_PATH,
  type ShellIsolation,
  type ShellToolConfig,
  type ShellToolOptions,
} from './builtin/index.js';
export { ToolsConfigSchema, type ToolsConfig } from './tools-config.js';
