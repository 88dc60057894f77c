import type { Command } from 'commander';
import { invokeOperation, listTopologies } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { topologiesTable } from '../format.js';
import type { ListedTopology } from '../format.js';

/** `agentd topologies`: the execution patterns a team file can name. */
export function registerTopologies(program: Command, cli: CliContext): void {
  program
    .command('topologies')
    .description('List the topologies a team can run in (topology: in a team file)')
    .option('--json', 'print JSON, with each topology’s options and their defaults')
    .action(async (options: { json?: boolean }) => {
      const runtime = await cli.openRuntime();
      const result = (await invokeOperation(runtime, listTopologies, {})) as { topologies: ListedTopology[] };
      cli.io.stdout.write(
        options.json ? JSON.stringify(result, null, 2) + '\n' : topologiesTable(result.topologies),
      );
    });
}
