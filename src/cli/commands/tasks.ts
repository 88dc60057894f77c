import type { Command } from 'commander';
import { cancelTask, getTask, listTasks, resumeTask, taskSpans } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { followTask } from '../follow-task.js';
import { spanTree, table, taskDetail, tasksTable } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

/** An interrupted task as `tasks list --interrupted` prints it. */
type InterruptedRow = Awaited<ReturnType<typeof listTasks.handler>>['tasks'][number];

/** `agentd tasks list [--interrupted] | show ID [--spans] | cancel ID | resume [ID]`. */
export function registerTasks(program: Command, cli: CliContext): void {
  const tasks = program.command('tasks').description('List, inspect, cancel and resume tasks');

  registerOperationCommand<typeof listTasks.input, typeof listTasks.output, { interrupted?: boolean }>(
    tasks,
    cli,
    {
      operation: listTasks,
      name: 'list',
      defaults: { limit: '20' },
      switches: ['interrupted'],
      print: (page, flags) =>
        void cli.io.stdout.write(flags.interrupted ? interruptedTable(page.tasks) : tasksTable(page.tasks)),
    },
  );

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

  tasks
    .command('resume')
    .description(
      'Resume a task whose process is gone (e.g. a killed `agentd run`) here, printing its result like `agentd run`; ' +
        'without an id, resume every interrupted task of this config, one after another',
    )
    .argument('[id]', 'task id (see agentd tasks list --interrupted)')
    .option('--force', 'resume it even if it was started with another config (this config runs it)')
    .option('--json', 'print each task result as JSON on stdout')
    .action(async (id: string | undefined, options: { force?: boolean; json?: boolean }) => {
      const json = options.json === true;
      if (id !== undefined) {
        await cli.invoke(resumeTask, { id, ...(options.force ? { force: true } : {}) });
        await followTask(cli, id, json);
        return;
      }
      const { tasks: interrupted } = await cli.invoke(listTasks, { interrupted: true });
      for (const task of interrupted) {
        if (task.interruption?.adopted === false)
          cli.io.stderr.write(`agentd: left ${task.id} alone: ${task.interruption.reason ?? ''}\n`);
      }
      const ours = interrupted.filter((task) => task.interruption?.adopted !== false);
      if (ours.length === 0) {
        cli.io.stderr.write('agentd: no interrupted task of this config to resume\n');
        return;
      }
      let exitCode = 0;
      // Oldest first, each to its end: the order they were started in.
      for (const task of ours.reverse()) {
        cli.io.stderr.write(`agentd: resuming ${task.id}\n`);
        await cli.invoke(resumeTask, { id: task.id });
        await followTask(cli, task.id, json);
        exitCode = Math.max(exitCode, cli.exitCode);
      }
      cli.exitCode = exitCode;
    });
}

/** Interrupted tasks: which this config resumes, and why it leaves the others alone. */
function interruptedTable(rows: InterruptedRow[]): string {
  if (rows.length === 0) return 'no interrupted tasks\n';
  return table(
    ['ID', 'CREATED', 'RESUMABLE HERE', 'PROMPT'],
    rows.map((row) => [
      row.id,
      new Date(row.timings.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      row.interruption?.adopted === false ? `no: ${row.interruption.reason ?? ''}` : 'yes',
      row.prompt.replace(/\s+/g, ' ').slice(0, 50),
    ]),
  );
}
