export { createMcpServer } from './mcp-server.js';
export type { McpServerOptions } from './mcp-server.js';
export { mcpToolsOf, toolNameOf } from './mcp-tools.js';
export type { McpTool } from './mcp-tools.js';
export { createMcpHttpHandler } from './mcp-http.js';
export type { McpHttpHandler } from './mcp-http.js';
