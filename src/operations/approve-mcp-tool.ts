import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { McpToolRefSchema } from './mcp-tool-schemas.js';

/** Approves the current definition of an MCP server's tool (re-enabling one that changed). */
export const approveMcpTool = defineOperation({
  name: 'mcp.tools.approve',
  description:
    "Approve the current definition (name, description, input schema) of an MCP server's tool, re-enabling it after a change.",
  input: z.strictObject({
    tool: McpToolRefSchema,
    hash: z
      .string()
      .regex(/^[0-9a-fA-F]{12,64}$/, 'a hash of 12 to 64 hex characters, as mcp tools list shows it')
      .optional()
      .describe('approve only if the definition is still this one (the hash shown when reviewing it)'),
  }),
  output: z.object({ server: z.string(), tool: z.string(), hash: z.string(), approvedAt: z.number() }),
  humanOnly: true,
  permission: 'tools.admin',
  tenancy: 'none',
  http: { method: 'POST', path: '/v1/mcp/tools/approve' },
  async handler(runtime, input, actor) {
    const slash = input.tool.indexOf('/');
    const pin = await runtime.mcpTools.approve(
      input.tool.slice(0, slash),
      input.tool.slice(slash + 1),
      actor.id,
      input.hash,
    );
    await runtime.audit.record({
      actor,
      action: 'mcp.tool.approve',
      target: input.tool,
      tenant: null,
      details: { hash: pin.hash },
    });
    return { server: pin.server, tool: pin.tool, hash: pin.hash, approvedAt: pin.approvedAt };
  },
});
