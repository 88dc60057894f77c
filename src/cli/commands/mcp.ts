import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { registerMcpToolsCommands } from './mcp-tools.js';

/** `agentd mcp …`: MCP commands (here the tools of configured MCP servers). */
export function registerMcp(program: Command, cli: CliContext, _version: string): void {
  const mcp = program
    .command('mcp')
    .description('MCP: the tools of configured MCP servers (see docs/mcp.md)');
  registerMcpToolsCommands(mcp, cli);
}
