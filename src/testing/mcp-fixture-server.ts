// A small MCP server for the MCP client's tests, built with the official SDK. Run as a script (stdio):
// `node --import tsx src/testing/mcp-fixture-server.ts`; `FIXTURE_FAIL=1` makes it write a reason to
// stderr and exit before the handshake. `createFixtureMcpServer` builds the same server in process
// (for the Streamable HTTP tests).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

/** The fixture server's tools: `echo` (read-only) and `add` (structured output); `describeEcho` sets echo's description. */
export function createFixtureMcpServer(options: { describeEcho?: string } = {}): McpServer {
  const server = new McpServer({ name: 'agentd-fixture', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: options.describeEcho ?? 'Repeats the text it is given.',
      inputSchema: { text: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }),
  );
  server.registerTool(
    'add',
    {
      description: 'Adds two numbers.',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
      structuredContent: { sum: a + b },
    }),
  );
  return server;
}

async function main(): Promise<void> {
  if (process.env['FIXTURE_FAIL'] === '1') {
    process.stderr.write('fixture: cannot open /nonexistent/fixture.db\n');
    process.exit(3);
  }
  await createFixtureMcpServer({
    ...(process.env['FIXTURE_ECHO_DESCRIPTION']
      ? { describeEcho: process.env['FIXTURE_ECHO_DESCRIPTION'] }
      : {}),
  }).connect(new StdioServerTransport());
}

// Only as a script: importing the module (the HTTP tests) starts nothing.
if (
  process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
) {
  void main();
}

/** The path of this script, for the stdio tests' config. */
export const FIXTURE_SERVER_PATH = fileURLToPath(import.meta.url);
