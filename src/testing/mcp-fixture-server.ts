// A small MCP server for the MCP client's tests, built with the official SDK. Run as a script (stdio):
// `node --import tsx src/testing/mcp-fixture-server.ts`. `FIXTURE_FAIL=1` makes it write a reason to
// stderr and exit before the handshake; `FIXTURE_CANCEL_FILE` is written when a `wait` call is
// cancelled; `FIXTURE_ECHO_DESCRIPTION` changes echo's description. `createFixtureMcpServer` builds the
// same server in process (for the Streamable HTTP tests).
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

/**
 * The fixture server's tools: `echo` (read-only), `add` (structured output) and `wait` (answers only
 * when the call is cancelled, then calls `onWaitCancelled`); `describeEcho` sets echo's description.
 */
export function createFixtureMcpServer(
  options: { describeEcho?: string; onWaitCancelled?: () => void } = {},
): McpServer {
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
  server.registerTool('wait', { description: 'Waits until cancelled.' }, async (extra) => {
    await new Promise<void>((resolve) => {
      if (extra.signal.aborted) resolve();
      extra.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    options.onWaitCancelled?.();
    return { content: [{ type: 'text', text: 'cancelled' }] };
  });
  return server;
}

async function main(): Promise<void> {
  if (process.env['FIXTURE_FAIL'] === '1') {
    process.stderr.write('fixture: cannot open /nonexistent/fixture.db\n');
    process.exit(3);
  }
  const cancelFile = process.env['FIXTURE_CANCEL_FILE'];
  await createFixtureMcpServer({
    ...(process.env['FIXTURE_ECHO_DESCRIPTION']
      ? { describeEcho: process.env['FIXTURE_ECHO_DESCRIPTION'] }
      : {}),
    ...(cancelFile ? { onWaitCancelled: () => writeFileSync(cancelFile, 'cancelled') } : {}),
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
