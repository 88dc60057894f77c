import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { COMPLETION_SHELLS, completionScript } from '../completion-script.js';
import type { CompletionShell } from '../completion-script.js';

/**
 * `agentd completion bash|zsh|fish`: prints a completion script generated from the whole command
 * tree, which `fullProgram` builds (the running program holds only the command being run).
 */
export function registerCompletion(program: Command, cli: CliContext, fullProgram: () => Command): void {
  program
    .command('completion')
    .description('Print a shell completion script: eval "$(agentd completion bash)"')
    .argument('<shell>', COMPLETION_SHELLS.join(' | '))
    .action((shell: string) => {
      if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
        cli.usageError(`unknown shell '${shell}'; expected ${COMPLETION_SHELLS.join(', ')}`);
      }
      cli.io.stdout.write(completionScript(fullProgram(), shell as CompletionShell));
    });
}
