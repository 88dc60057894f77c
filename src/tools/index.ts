export {
  defineTool,
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
} from './builtin/index.js';
