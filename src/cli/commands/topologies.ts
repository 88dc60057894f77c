import type { Command } from 'commander';
import { listTopologies } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { topologiesTable } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

/** `agentd topologies`: the execution patterns a team file can name. */
export function registerTopologies(program: Command, cli: CliContext): void {
  registerOperationCommand(program, cli, {
    operation: listTopologies,
    name: 'topologies',
    description:
      'List the topologies a team can run in (topology: in a team file); --json adds their options',
    print: (result) => void cli.io.stdout.write(topologiesTable(result.topologies)),
  });
}
