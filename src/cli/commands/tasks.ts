import type { Command } from 'commander';
import type { TaskResult } from '../../executor/index.js';
import { cancelTask, getTask, invokeOperation, listTasks, taskSpans } from '../../operations/index.js';
import type { SpanRecord } from '../../runtime/index.js';
import type { CliContext } from '../cli-context.js';
import { spanTree, taskDetail, tasksTable } from '../format.js';

/** `agentd tasks list | show ID [--spans] | cancel ID`. */
export function registerTasks(program: Command, cli: CliContext): void {
  const tasks = program.command('tasks').description('List, inspect and cancel tasks');

  tasks
    .command('list')
    .description('List tasks, newest first')
    .option(
      '--status <status>',
      'only tasks with this status (queued, running, waiting, succeeded, failed, cancelled)',
    )
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: { status?: string; limit: string; json?: boolean }) => {
      const runtime = await cli.openRuntime();
      const page = (await invokeOperation(runtime, listTasks, {
        limit: options.limit,
        ...(options.status ? { status: options.status } : {}),
      })) as { tasks: TaskResult[] };
      cli.io.stdout.write(options.json ? JSON.stringify(page, null, 2) + '\n' : tasksTable(page.tasks));
    });

  tasks
    .command('show')
    .description('Show one task; --spans prints its span tree')
    .argument('<id>', 'task id')
    .option('--spans', 'print the span tree (task, agents, model calls, tool calls)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { spans?: boolean; json?: boolean }) => {
      const runtime = await cli.openRuntime();
      const task = (await invokeOperation(runtime, getTask, { id })) as TaskResult;
      const spans = options.spans
        ? ((await invokeOperation(runtime, taskSpans, { id })) as { spans: SpanRecord[] }).spans
        : undefined;
      if (options.json) {
        cli.io.stdout.write(JSON.stringify(spans ? { ...task, spans } : task, null, 2) + '\n');
        return;
      }
      cli.io.stdout.write(taskDetail(task));
      if (spans) cli.io.stdout.write('\nspans:\n' + spanTree(spans));
    });

  tasks
    .command('cancel')
    .description('Cancel a queued, running or waiting task')
    .argument('<id>', 'task id')
    .action(async (id: string) => {
      const runtime = await cli.openRuntime();
      const task = (await invokeOperation(runtime, cancelTask, { id })) as TaskResult;
      cli.io.stdout.write(`${task.id} ${task.status}\n`);
    });
}
