import { z } from 'zod';

/** `server/tool`: one MCP server's tool, as `agentd mcp tools approve` names it. */
export const McpToolRefSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}\/[^\s/][^\s]{0,127}$/, 'expected <server>/<tool>')
  .describe('the MCP server and its tool, as server/tool');

/** A configured MCP server's tool with the status of its pin. */
export const McpToolStatusSchema = z.object({
  server: z.string(),
  tool: z.string(),
  /** pinned: the approved definition; changed: disabled until approved; unpinned: not used yet. */
  status: z.enum(['pinned', 'changed', 'unpinned']),
  hash: z.string(),
  /** The definition the server lists now, which `hash` covers: what a person reviews before approving. */
  description: z.string(),
  inputSchema: z.unknown(),
  pinnedHash: z.string().nullable(),
  approvedAt: z.number().nullable(),
  approvedBy: z.string().nullable(),
});
