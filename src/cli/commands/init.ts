import type { Command } from 'commander';
import { detectLocalServer } from '../../models/detect-local-server.js';
import type { CliContext } from '../cli-context.js';
import { initProject, nextCommands } from '../init-project.js';

/**
 * `agentd init [DIR]`: writes a commented agentd.yaml (providers found in the environment, by
 * variable name only, and a local Ollama if one answers), example agents and one example team per
 * common topology, then prints the next commands. Never overwrites a file without --force.
 */
export function registerInit(program: Command, cli: CliContext): void {
  program
    .command('init')
    .description('Start a project: a commented agentd.yaml, example agents and teams')
    .argument('[dir]', 'the folder to write into', '.')
    .option('--force', 'overwrite files that exist')
    .option('--no-detect', 'do not probe for a local Ollama server')
    .action(async (dir: string, options: { force?: boolean; detect: boolean }) => {
      const localServer = options.detect ? await detectLocalServer() : null;
      const result = initProject({
        dir,
        localServer,
        ...(options.force ? { force: true } : {}),
      });
      const { stdout } = cli.io;
      for (const file of result.files) stdout.write(`wrote ${file}\n`);
      stdout.write(
        result.providers.length > 0
          ? `providers: ${result.providers.join(', ')} (keys are read from the environment when agentd runs)\n`
          : 'providers: none found (no key variable set, no local Ollama); until you add one, ' +
              'runs fall back to the simulated model. See the providers section of agentd.yaml\n',
      );
      stdout.write(
        `\nnext:\n${nextCommands(dir, process.cwd())
          .map((c) => `  ${c}\n`)
          .join('')}`,
      );
    });
}
