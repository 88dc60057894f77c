import type { Command } from 'commander';
import type { TaskResult } from '../../executor/index.js';
import { answerReview, getTask, invokeOperation, listReviews } from '../../operations/index.js';
import type { Runtime } from '../../runtime/index.js';
import type { CliContext } from '../cli-context.js';
import { reviewState, reviewsTable, usd, waitingLine } from '../format.js';
import type { ListedReview } from '../format.js';

type Decision = 'approve' | 'reject' | 'edit';

/** `agentd reviews list | approve ID | reject ID | edit ID --payload JSON`. */
export function registerReviews(program: Command, cli: CliContext): void {
  const reviews = program
    .command('reviews')
    .description('Human reviews that waiting tasks are suspended on: list, approve, reject, edit');

  reviews
    .command('list')
    .description('List reviews, newest first: the pending ones unless --all')
    .option('--all', 'answered reviews too')
    .option('--task <id>', "only this task's reviews")
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: { all?: boolean; task?: string; limit: string; json?: boolean }) => {
      const runtime = await cli.openRuntime();
      const page = (await invokeOperation(runtime, listReviews, {
        status: options.all ? 'all' : 'pending',
        limit: options.limit,
        ...(options.task ? { taskId: options.task } : {}),
      })) as { reviews: ListedReview[]; next: string | null };
      if (options.json) {
        cli.io.stdout.write(JSON.stringify(page, null, 2) + '\n');
        return;
      }
      if (page.reviews.length === 0) {
        cli.io.stderr.write(options.all ? 'no reviews\n' : 'no pending reviews\n');
        return;
      }
      cli.io.stdout.write(reviewsTable(page.reviews));
    });

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
  const runtime = await cli.openRuntime();
  const review = (await invokeOperation(runtime, answerReview, {
    id,
    decision: options.decision,
    ...(options.note !== undefined ? { note: options.note } : {}),
    ...(options.payload !== undefined ? { payload: options.payload } : {}),
  })) as ListedReview;
  if (options.json) cli.io.stdout.write(JSON.stringify(review, null, 2) + '\n');
  else cli.io.stdout.write(`${review.id} ${reviewState(review)}\n`);
  const task = await settled(runtime, review.taskId);
  const { stderr } = cli.io;
  if (task.status === 'waiting') {
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

/** Polls the task until it is neither queued nor running (finished, or waiting on another review). */
async function settled(runtime: Runtime, taskId: string): Promise<TaskResult> {
  for (;;) {
    const task = (await invokeOperation(runtime, getTask, { id: taskId })) as TaskResult;
    if (task.status !== 'queued' && task.status !== 'running') return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
