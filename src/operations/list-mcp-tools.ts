import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { McpToolStatusSchema } from './mcp-tool-schemas.js';

/** The tools of the configured MCP servers with their pins (connects to the servers). */
export const listMcpTools = defineOperation({
  name: 'mcp.tools.list',
  description:
    "List the tools of the configured MCP servers with the status of each one's pinned definition (pinned, changed, unpinned).",
  input: z.strictObject({
    server: z.string().min(1).max(32).optional().describe('only this server'),
  }),
  output: z.object({ tools: z.array(McpToolStatusSchema) }),
  permission: 'tools.admin',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/mcp/tools' },
  async handler(runtime, input) {
    return { tools: await runtime.mcpTools.status(input.server) };
  },
});
