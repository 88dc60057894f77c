import type { TaskResult } from '../executor/index.js';
import type { CliContext } from './cli-context.js';
import { usd, waitingLine } from './format.js';
import { createProgress } from './progress.js';

/**
 * Follows a task this process runs until it ends: progress and review requests on stderr, then its
 * output on stdout and a summary line on stderr (JSON on stdout with `json`). Ctrl-C cancels it.
 * Sets the exit code: 0 succeeded, 130 cancelled, 1 otherwise. Used by `agentd run` and
 * `agentd tasks resume`.
 */
export async function followTask(cli: CliContext, id: string, json: boolean): Promise<TaskResult> {
  const runtime = await cli.openRuntime();
  const progress = createProgress(cli.io);
  const announced = new Set<string>();
  const follow = async () => {
    for await (const event of runtime.tasks.events(id)) {
      progress.update(event);
      if (event.type === 'review-requested' && !announced.has(event.data.reviewId)) {
        // Said once per review; the task stays suspended until someone answers it.
        announced.add(event.data.reviewId);
        cli.io.stderr.write(
          `${cli.io.stderr.isTTY ? '\r\x1b[2K' : ''}${waitingLine({ id: event.data.reviewId, question: event.data.question })}\n`,
        );
      }
    }
  };
  // Ctrl-C or a termination signal cancels the task rather than leaving it running, orphaned.
  const onInterrupt = () => void runtime.tasks.cancel(id);
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  let result: TaskResult;
  try {
    // Waiting alongside the events: a task whose review is answered from another process is
    // resumed here if that process does not run it.
    [result] = await Promise.all([runtime.tasks.wait(id), follow()]);
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
  }
  report(cli, result, json);
  cli.exitCode = result.status === 'succeeded' ? 0 : result.status === 'cancelled' ? 130 : 1;
  return result;
}

function report(cli: CliContext, result: TaskResult, json: boolean): void {
  const { stdout, stderr } = cli.io;
  if (json) {
    stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  if (result.status === 'succeeded') {
    stdout.write((result.output ?? '') + '\n');
  } else {
    stderr.write(
      `agentd: task ${result.status}: ${result.error?.code ?? ''}: ${result.error?.message ?? ''}\n`,
    );
    // What finished before the failure is still worth having (e.g. when a budget ran out).
    for (const part of result.partial ?? []) stdout.write(`--- partial: ${part.agent} ---\n${part.output}\n`);
  }
  const seconds =
    result.timings.durationMs === null ? '' : ` · ${(result.timings.durationMs / 1000).toFixed(1)} s`;
  const tokens = result.cost.inputTokens + result.cost.outputTokens;
  stderr.write(
    `${result.simulated ? '[simulated] ' : ''}${result.id} · ${result.status} · ${result.modelCalls} model call${
      result.modelCalls === 1 ? '' : 's'
    } · ${tokens} tokens · ${usd(result.cost.usd)}${seconds}\n`,
  );
}
