import type { Command } from 'commander';
import { adminActor } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { createStderrLogger } from '../stderr-logger.js';
import { registerMcpToolsCommands } from './mcp-tools.js';

/**
 * `agentd mcp`: agentd as an MCP server over stdio, for desktop clients (Claude Desktop, Cursor,
 * VS Code). stdout carries the protocol alone; logs go to stderr. Runs as the local admin of the
 * database, like every other local command, until the client closes stdin.
 */
export function registerMcp(program: Command, cli: CliContext, version: string): void {
  const mcp = program
    .command('mcp')
    .description(
      'Serve the MCP protocol over stdio (tools for every operation); `mcp tools` manages the tools of configured MCP servers (see docs/mcp.md)',
    );
  registerMcpToolsCommands(mcp, cli);
  mcp.action(async () => {
    const runtime = await cli.openRuntime();
    const [{ createMcpServer }, { StdioServerTransport }] = await Promise.all([
      import('../../mcp/index.js'),
      import('@modelcontextprotocol/sdk/server/stdio.js'),
    ]);
    const server = createMcpServer({
      runtime,
      actor: adminActor('mcp'),
      version,
      logger: createStderrLogger(cli.io, 'warn'),
    });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    await server.connect(transport);
    await closed;
    await server.close();
  });
}
