import type { Command } from 'commander';
import { listModels } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { modelsTable } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

/** `agentd models list`. */
export function registerModels(program: Command, cli: CliContext): void {
  const models = program.command('models').description('The model catalog');
  registerOperationCommand<typeof listModels.input, typeof listModels.output, { all?: boolean }>(
    models,
    cli,
    {
      operation: listModels,
      name: 'list',
      description: 'List catalog models with prices, context windows, capabilities and availability',
      extraFlags: (command) => command.option('--all', 'include models of providers that are not configured'),
      json: (result, flags) =>
        flags.all ? result : { ...result, models: result.models.filter((m) => m.available) },
      print(result, flags) {
        cli.io.stdout.write(
          modelsTable(flags.all ? result.models : result.models.filter((m) => m.available)),
        );
        if (!flags.all)
          cli.io.stderr.write('(models of configured providers; --all for the whole catalog)\n');
      },
    },
  );
}
