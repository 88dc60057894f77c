import type { Command } from 'commander';
import { invokeOperation, listModels } from '../../operations/index.js';
import type { ListedModel } from '../../runtime/index.js';
import type { CliContext } from '../cli-context.js';
import { modelsTable } from '../format.js';

/** `agentd models list`. */
export function registerModels(program: Command, cli: CliContext): void {
  program
    .command('models')
    .description('The model catalog')
    .command('list')
    .description('List catalog models with prices, context windows, capabilities and availability')
    .option('--all', 'include models of providers that are not configured')
    .option('--json', 'print JSON')
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const runtime = await cli.openRuntime();
      const result = (await invokeOperation(runtime, listModels, {})) as {
        defaultModel: string;
        models: ListedModel[];
      };
      const models = options.all ? result.models : result.models.filter((m) => m.available);
      if (options.json) {
        cli.io.stdout.write(JSON.stringify({ ...result, models }, null, 2) + '\n');
        return;
      }
      cli.io.stdout.write(modelsTable(models));
      if (!options.all)
        cli.io.stderr.write('(models of configured providers; --all for the whole catalog)\n');
    });
}
