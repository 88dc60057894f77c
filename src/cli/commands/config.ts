import type { Command } from 'commander';
import { stringify } from 'yaml';
import { AgentdError } from '../../core/errors.js';
import { checkConfig } from '../../operations/index.js';
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
      let result;
      try {
        result = await cli.invoke(checkConfig, {});
      } catch (error) {
        // A config so wrong the runtime cannot start (a malformed or missing default model) is
        // still a problem to list on stdout, where scripts read the others.
        if (!(error instanceof AgentdError) || error.fault !== 'user') throw error;
        const problem = `${error.message} (${error.code})`;
        cli.io.stdout.write(
          options.json
            ? `${JSON.stringify({ problems: [problem] }, null, 2)}\n`
            : stringify({ problems: [problem] }),
        );
        cli.io.stderr.write(`agentd: ${problem}\n`);
        cli.exitCode = 2;
        return;
      }
      // A config that loads but will make commands fail is not OK: scripts and CI see exit 1.
      if (result.problems.length > 0) cli.exitCode = 1;
      if (options.json) {
        cli.io.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      // Every problem the exit code stands for is on stdout too, with the config it is about.
      cli.io.stdout.write(
        stringify({ ...result.config, defaultModel: result.defaultModel, problems: result.problems }),
      );
      if (result.notice) cli.io.stderr.write(`agentd: ${result.notice}\n`);
      for (const problem of result.problems) cli.io.stderr.write(`agentd: ${problem}\n`);
      if (result.problems.length === 0) cli.io.stderr.write('config OK\n');
    });
}
