import type { Command } from 'commander';
import {
  cancelTask,
  deleteTask,
  getTask,
  listTasks,
  pruneTasks,
  resumeTask,
  taskSpans,
} from '../../operations/index.js';
import { countOf } from '../../core/plural.js';
import type { CliContext } from '../cli-context.js';
import { followTask } from '../follow-task.js';
import { bytesText, spanTree, table, taskDetail, tasksTable } from '../format.js';
import { namedAsTyped } from '../named-as-typed.js';
import { registerOperationCommand } from '../operation-command.js';

/** What `tasks prune` reports. */
/** The prune command's flags by the operation field each fills, for error messages. */
const PRUNE_FLAGS = new Map([
  ['olderThan', '--older-than'],
  ['status', '--status'],
]);

type PruneReport = Awaited<ReturnType<typeof pruneTasks.handler>>;

/** An interrupted task as `tasks list --interrupted` prints it. */
type InterruptedRow = Awaited<ReturnType<typeof listTasks.handler>>['tasks'][number];

/** Finished statuses a prune may be limited to. */
const FINISHED = ['succeeded', 'failed', 'cancelled'];

/** `agentd tasks list [--interrupted] | show ID [--spans] | cancel ID | resume [ID] | delete ID | prune`. */
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
    .command('delete')
    .description(
      'Delete a finished task with its journal, events, spans and workspace (its cost rows stay, marked pruned)',
    )
    .argument('<id>', 'task id')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const removal = await cli.invoke(deleteTask, { id });
      if (options.json) cli.io.stdout.write(JSON.stringify(removal, null, 2) + '\n');
      else
        cli.io.stdout.write(
          `deleted ${removal.id} (${removal.status}), freed ${bytesText(removal.bytesFreed)}\n`,
        );
    });

  tasks
    .command('prune')
    .description(
      'Delete finished tasks (succeeded, failed, cancelled — never queued, running or waiting) that finished ' +
        'longer ago than --older-than, with their journal, events, spans and workspaces; cost rows stay, marked pruned',
    )
    .requiredOption('--older-than <duration>', 'how long ago a task must have finished: 90m, 12h, 30d, 2w')
    .option('--status <list>', `only tasks with these statuses (comma-separated: ${FINISHED.join(', ')})`)
    .option('--dry-run', 'list what would be deleted and delete nothing')
    .option('--json', 'print the result as JSON')
    .action(async (options: { olderThan: string; status?: string; dryRun?: boolean; json?: boolean }) => {
      const status = options.status
        ?.split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      const tty = cli.io.stderr.isTTY === true;
      const report = await cli
        .invoke(
          pruneTasks,
          {
            olderThan: options.olderThan,
            ...(status ? { status } : {}),
            ...(options.dryRun ? { dryRun: true } : {}),
          },
          {
            // A running count: redrawn in place on a terminal, a line per thousand tasks otherwise.
            progress({ progress }) {
              if (tty) cli.io.stderr.write(`\r\x1b[2Kpruning: ${progress} removed`);
              else if (progress % 1000 === 0) cli.io.stderr.write(`pruning: ${progress} removed\n`);
            },
          },
        )
        .catch((error: unknown) => {
          throw namedAsTyped(error, pruneTasks.name, PRUNE_FLAGS);
        });
      if (tty && report.removed > 0) cli.io.stderr.write('\r\x1b[2K');
      for (const failure of report.failed)
        cli.io.stderr.write(`agentd: could not delete ${failure.id}: ${failure.message}\n`);
      if (report.failed.length > 0) cli.exitCode = 1;
      if (options.json) {
        cli.io.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const more = report.truncated ? ' (and more; only the first 1000 are listed)' : '';
      if (report.dryRun) {
        if (report.tasks.length > 0) cli.io.stdout.write(prunedTable(report.tasks));
        cli.io.stdout.write(
          `dry run: would delete ${countOf(report.tasks.length, 'finished task')}${more} older than ${options.olderThan}, ` +
            `freeing ${bytesText(report.bytesFreed)} of workspaces; nothing was deleted\n`,
        );
        return;
      }
      cli.io.stdout.write(
        `deleted ${countOf(report.removed, 'finished task')} older than ${options.olderThan}, ` +
          `freed ${bytesText(report.bytesFreed)} of workspaces` +
          (report.failed.length > 0 ? `; ${report.failed.length} could not be deleted (see above)` : '') +
          '\n',
      );
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

/** Tasks a dry-run prune would delete. */
function prunedTable(rows: PruneReport['tasks']): string {
  return table(
    ['ID', 'STATUS', 'FINISHED', 'WORKSPACE', 'PROMPT'],
    rows.map((row) => [
      row.id,
      row.status,
      new Date(row.finishedAt).toISOString().replace('T', ' ').slice(0, 19),
      bytesText(row.bytes),
      row.prompt.slice(0, 50),
    ]),
  );
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
