import type { Command } from 'commander';
import type { z } from 'zod';
import { answerReview, getTask, listReviews } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { reviewState, reviewsTable, usd, waitingLine } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

type Decision = 'approve' | 'reject' | 'edit';

/** `agentd reviews list | approve ID | reject ID | edit ID --payload JSON`. */
export function registerReviews(program: Command, cli: CliContext): void {
  const reviews = program
    .command('reviews')
    .description('Human reviews that waiting tasks are suspended on: list, approve, reject, edit');

  registerOperationCommand<typeof listReviews.input, typeof listReviews.output, { all?: boolean }>(
    reviews,
    cli,
    {
      operation: listReviews,
      name: 'list',
      description: 'List reviews, newest first: the pending ones unless --all (or --status)',
      flags: { taskId: 'task' },
      defaults: { limit: '20' },
      extraFlags: (command) => command.option('--all', 'reviews of every status (answered, cancelled too)'),
      input: (fields, flags) => (flags.all ? { ...fields, status: 'all' } : fields),
      print(page, flags) {
        if (page.reviews.length === 0) {
          cli.io.stderr.write(flags.all ? 'no reviews\n' : 'no pending reviews\n');
          return;
        }
        cli.io.stdout.write(reviewsTable(page.reviews));
      },
    },
  );

  const answer = (name: Decision, description: string) =>
    reviews
      .command(name)
      .description(description)
      .argument('<id>', 'review id')
      .option('--note <text>', name === 'reject' ? 'why (the agent is told)' : 'a note kept with the answer')
      .option('--json', 'print the answered review as JSON');

  answer('approve', 'Approve: the waiting task goes ahead').action(
    async (id: string, options: { note?: string; json?: boolean }) =>
      answerAndFollow(cli, id, { decision: 'approve', ...options }),
  );
  answer('reject', 'Reject: the agent is told (with the note) and continues without it').action(
    async (id: string, options: { note?: string; json?: boolean }) =>
      answerAndFollow(cli, id, { decision: 'reject', ...options }),
  );
  answer('edit', 'Go ahead with an edited payload (for a tool approval: {"input": {...}})')
    .requiredOption('--payload <json>', 'the edited payload, as JSON')
    .action(async (id: string, options: { note?: string; json?: boolean; payload: string }) =>
      answerAndFollow(cli, id, {
        decision: 'edit',
        ...options,
        payload: parsePayload(cli, options.payload),
      }),
    );
}

function parsePayload(cli: CliContext, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return cli.usageError(
      `--payload is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * Answers the review, then follows its task until it finishes or waits again: the task resumes in
 * this process, and leaving at once would interrupt it mid-step (an `agentd run` still waiting on
 * it, or `agentd serve`, would then pick it up).
 */
async function answerAndFollow(
  cli: CliContext,
  id: string,
  options: { decision: Decision; note?: string; payload?: unknown; json?: boolean },
): Promise<void> {
  const review = await cli.invoke(answerReview, {
    id,
    decision: options.decision,
    ...(options.note !== undefined ? { note: options.note } : {}),
    ...(options.payload !== undefined ? { payload: options.payload } : {}),
  });
  if (options.json) cli.io.stdout.write(JSON.stringify(review, null, 2) + '\n');
  else cli.io.stdout.write(`${review.id} ${reviewState(review)}\n`);
  const task = await settled(cli, review.taskId);
  const { stderr } = cli.io;
  if (task.status === 'queued') {
    // Started with another project's config: this process does not run it (ADR 0047).
    stderr.write(
      `agentd: task ${task.id} is queued for a process of the config it was started with: ` +
        `run agentd tasks resume ${task.id} (or agentd serve) in its project\n`,
    );
  } else if (task.status === 'waiting') {
    for (const next of task.reviews ?? []) stderr.write(`agentd: task ${task.id} ${waitingLine(next)}\n`);
  } else if (task.status === 'succeeded') {
    stderr.write(
      `agentd: task ${task.id} succeeded · ${usd(task.cost.usd)} (agentd tasks show ${task.id} for the output)\n`,
    );
  } else {
    stderr.write(
      `agentd: task ${task.id} ${task.status}${task.error ? `: ${task.error.code}: ${task.error.message}` : ''}\n`,
    );
  }
}

/**
 * Polls the task until it is neither queued nor running (finished, or waiting on another review), or
 * stays queued for two seconds: then nobody here runs it (another config's task; see answerReview).
 */
async function settled(cli: CliContext, taskId: string): Promise<z.infer<typeof getTask.output>> {
  for (let queuedPolls = 0; ;) {
    const task = await cli.invoke(getTask, { id: taskId });
    if (task.status !== 'queued' && task.status !== 'running') return task;
    queuedPolls = task.status === 'queued' ? queuedPolls + 1 : 0;
    if (queuedPolls > 20) return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
