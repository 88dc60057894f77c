export {
  defineTool,
  isIdempotentCall,
  type AnyTool,
  type TaskNotes,
  type ToolContext,
  type ToolDefinition,
} from './define-tool.js';
export { createToolRegistry, type ToolRegistry } from './tool-registry.js';
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
