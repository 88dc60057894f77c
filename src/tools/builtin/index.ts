import type { AnyTool } from '../define-tool.js';
import { currentTimeTool } from './current-time/current-time-tool.js';
import { listFilesTool } from './list-files/list-files-tool.js';
import { notesTool } from './notes/notes-tool.js';
import { readFileTool } from './read-file/read-file-tool.js';
import { writeFileTool } from './write-file/write-file-tool.js';

export { currentTimeTool } from './current-time/current-time-tool.js';
export { createHttpFetchTool, type HttpFetchOutput } from './http-fetch/http-fetch-tool.js';
export { listFilesTool, MAX_LIST_ENTRIES, type ListedEntry } from './list-files/list-files-tool.js';
export { notesTool } from './notes/notes-tool.js';
export { MAX_READ_FILE_BYTES, readFileTool } from './read-file/read-file-tool.js';
export { writeFileTool } from './write-file/write-file-tool.js';
export { createShellTool, shellEnvironment, SHELL_PATH } from './shell/shell-tool.js';
export type { ShellToolOptions } from './shell/shell-tool.js';
export { detectShellIsolation } from './shell/shell-isolation.js';
export type { ShellIsolation } from './shell/shell-isolation.js';
export type { ShellToolConfig } from './shell/shell-tool-config.js';

/** The tools every agentd runtime ships: workspace file access, the current time, and the task's notes. */
export const builtinTools: AnyTool[] = [
  readFileTool,
  writeFileTool,
  listFilesTool,
  currentTimeTool,
  notesTool,
];
