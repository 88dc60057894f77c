import type { Command } from 'commander';
import { approveMcpTool, listMcpTools } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { table } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

/** Text from an MCP server, safe to print: control characters (terminal escapes) become spaces. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ');
}

/** A time in ms as an ISO date-time to the minute, or `-`. */
function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `agentd mcp tools list | approve SERVER/TOOL`: the pinned definitions of MCP servers' tools. */
export function registerMcpToolsCommands(mcpCommand: Command, cli: CliContext): void {
  const tools = mcpCommand
    .command('tools')
    .description(
      'The tools of configured MCP servers: their pinned definitions, and approving a changed one',
    );

  registerOperationCommand(tools, cli, {
    operation: listMcpTools,
    name: 'list',
    description:
      "List every configured MCP server's tools with the status of its pin: pinned, changed (disabled until approved) or unpinned (not used yet); starts the servers",
    print(result) {
      if (result.tools.length === 0) {
        cli.io.stderr.write('no MCP server tools (configure mcp.servers)\n');
        return;
      }
      cli.io.stdout.write(
        table(
          ['SERVER', 'TOOL', 'STATUS', 'HASH', 'APPROVED', 'BY'],
          result.tools.map((tool) => [
            tool.server,
            tool.tool,
            tool.status,
            tool.hash.slice(0, 12),
            when(tool.approvedAt),
            tool.approvedBy ?? '-',
          ]),
        ),
      );
      // What a person must read before approving: the definition as the server lists it now.
      const changed = result.tools.filter((tool) => tool.status !== 'pinned');
      for (const tool of changed) {
        cli.io.stdout.write(
          `\n${tool.server}/${tool.tool} (${tool.status}, now ${tool.hash.slice(0, 12)}):\n` +
            `  description: ${printable(tool.description) || '(none)'}\n` +
            `  input schema: ${printable(JSON.stringify(tool.inputSchema))}\n`,
        );
        if (tool.status === 'changed') {
          cli.io.stderr.write(
            `agentd: ${tool.server}/${tool.tool} changed since it was approved; if the definition above is fine: agentd mcp tools approve ${tool.server}/${tool.tool} --hash ${tool.hash.slice(0, 12)}\n`,
          );
        }
      }
    },
  });

  registerOperationCommand(tools, cli, {
    operation: approveMcpTool,
    name: 'approve',
    description:
      "Approve the current definition (name, description, input schema) of an MCP server's tool: SERVER/TOOL",
    args: [{ field: 'tool', name: 'server/tool' }],
    print(pin) {
      cli.io.stdout.write(`approved ${pin.server}/${pin.tool} (${pin.hash.slice(0, 12)})\n`);
    },
  });
}
