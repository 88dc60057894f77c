import type { Command } from 'commander';
import { stringify } from 'yaml';
import { checkConfig, invokeOperation } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';

/** `agentd config check`: validates the config and prints the effective one, secrets masked. */
export function registerConfig(program: Command, cli: CliContext): void {
  program
    .command('config')
    .description('Configuration')
    .command('check')
    .description('Validate the config files and environment; print the effective config with secrets masked')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const runtime = await cli.openRuntime();
      const result = (await invokeOperation(runtime, checkConfig, {})) as {
        config: Record<string, unknown>;
        defaultModel: string;
        notice: string | null;
      };
      if (options.json) {
        cli.io.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      cli.io.stdout.write(stringify({ ...result.config, defaultModel: result.defaultModel }));
      if (result.notice) cli.io.stderr.write(`agentd: ${result.notice}\n`);
      cli.io.stderr.write('config OK\n');
    });
}
