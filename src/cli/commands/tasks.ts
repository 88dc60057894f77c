import type { Command } from 'commander';
import { cancelTask, getTask, listTasks, taskSpans } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { spanTree, taskDetail, tasksTable } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

/** `agentd tasks list | show ID [--spans] | cancel ID`. */
export function registerTasks(program: Command, cli: CliContext): void {
  const tasks = program.command('tasks').description('List, inspect and cancel tasks');

  registerOperationCommand(tasks, cli, {
    operation: listTasks,
    name: 'list',
    defaults: { limit: '20' },
    print: (page) => void cli.io.stdout.write(tasksTable(page.tasks)),
  });

  registerOperationCommand<typeof getTask.input, typeof getTask.output, { spans?: boolean; json?: boolean }>(
    tasks,
    cli,
    {
      operation: getTask,
      name: 'show',
      description: 'Show one task; --spans prints its span tree',
      args: ['id'],
      extraFlags: (command) =>
        command.option('--spans', 'print the span tree (task, agents, model calls, tool calls)'),
      // `--json --spans` prints the task with its spans: one JSON document.
      json: async (task, flags) =>
        flags.spans ? { ...task, spans: (await cli.invoke(taskSpans, { id: task.id })).spans } : task,
      async print(task, flags) {
        cli.io.stdout.write(taskDetail(task));
        if (flags.spans) {
          const { spans } = await cli.invoke(taskSpans, { id: task.id });
          cli.io.stdout.write('\nspans:\n' + spanTree(spans));
        }
      },
    },
  );

  tasks
    .command('cancel')
    .description('Cancel a queued, running or waiting task')
    .argument('<id>', 'task id')
    .action(async (id: string) => {
      const task = await cli.invoke(cancelTask, { id });
      cli.io.stdout.write(`${task.id} ${task.status}\n`);
    });
}
