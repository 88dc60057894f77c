import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadAgentFile, loadTeamFile } from '../../agents/index.js';
import type { TaskResult } from '../../executor/index.js';
import { createTask } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { usd, waitingLine } from '../format.js';
import { createProgress } from '../progress.js';
import { rubricOption } from '../rubric-option.js';

/** `agentd run`: runs one task in the foreground, progress on stderr, output on stdout. */
export function registerRun(program: Command, cli: CliContext): void {
  program
    .command('run')
    .description('Run a task: the default agent, an agent file or a team file')
    .argument('<prompt>', 'what to do')
    .option('--agent <file>', 'agent spec (YAML or JSON)')
    .option('--team <file>', 'team spec (YAML or JSON): agents run in the topology it names')
    .option('--model <id>', 'model for every agent, e.g. openai/gpt-4o-mini or simulated/dry-run')
    .option('--objective <objective>', 'routing: cheapest | best | balanced (the router picks the models)')
    .option('--min-quality <q>', 'routing: expected quality (0–1) a model must reach for this task')
    .option('--strategy <strategy>', 'routing: single | cascade (cheapest first, escalate on failed checks)')
    .option('--max-usd <dollars>', 'budget: model spend of this task, in US dollars')
    .option('--max-tokens <n>', 'budget: input plus output tokens of this task')
    .option('--max-calls <n>', 'budget: model calls of this task')
    .option('--max-seconds <n>', 'budget: running time of this task')
    .option('--forge', 'let Forge design the team for the task (ignored with --agent or --team)')
    .option(
      '--rubric <file|name>',
      'judge the output against this rubric (a YAML or JSON file, or a name in quality.rubricDir)',
    )
    .option('--judging <mode>', 'off | checks | single | panel (default: quality.judging)')
    .option('--max-rounds <n>', 'rounds (1–5) before a rejected output goes to human review')
    .option('--tenant <name>', 'memory tenant the task recalls from and writes to (default: memory.tenant)')
    .option('--json', 'print the task result as JSON on stdout')
    .action(async (prompt: string, options: RunOptions) => {
      const input: Record<string, unknown> = { prompt };
      if (options.agent && options.team) cli.usageError('give either --agent or --team, not both');
      if (options.agent) input['agent'] = await loadAgentFile(resolve(options.agent));
      if (options.team) input['team'] = await loadTeamFile(resolve(options.team));
      if (options.model) input['model'] = options.model;
      if (options.tenant !== undefined) input['tenant'] = options.tenant;
      const budget = budgetOf(cli, options);
      if (budget) input['budget'] = budget;
      const routing = routingOf(options);
      if (routing) input['routing'] = routing;
      if (options.forge) input['forge'] = true;
      const quality = await qualityOf(cli, options);
      if (quality) input['quality'] = quality;

      const runtime = await cli.openRuntime();
      if (runtime.models.notice) cli.io.stderr.write(`agentd: ${runtime.models.notice}\n`);
      const submitted = await cli.invoke(createTask, input);
      const progress = createProgress(cli.io);
      const announced = new Set<string>();
      const follow = async () => {
        for await (const event of runtime.tasks.events(submitted.id)) {
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
      const onInterrupt = () => void runtime.tasks.cancel(submitted.id);
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
      let result: TaskResult;
      try {
        // Waiting alongside the events: a task whose review is answered from another process is
        // resumed here if that process does not run it.
        [result] = await Promise.all([runtime.tasks.wait(submitted.id), follow()]);
      } finally {
        progress.stop();
        process.removeListener('SIGINT', onInterrupt);
        process.removeListener('SIGTERM', onInterrupt);
      }
      report(cli, result, options.json === true);
      cli.exitCode = result.status === 'succeeded' ? 0 : result.status === 'cancelled' ? 130 : 1;
    });
}

interface RunOptions {
  agent?: string;
  team?: string;
  model?: string;
  objective?: string;
  minQuality?: string;
  strategy?: string;
  maxUsd?: string;
  maxTokens?: string;
  maxCalls?: string;
  maxSeconds?: string;
  forge?: boolean;
  rubric?: string;
  judging?: string;
  maxRounds?: string;
  tenant?: string;
  json?: boolean;
}

/** The task's quality settings from --rubric/--judging/--max-rounds (validated by the task input schema). */
async function qualityOf(cli: CliContext, options: RunOptions): Promise<Record<string, unknown> | undefined> {
  const quality: Record<string, unknown> = {};
  if (options.rubric !== undefined) quality['rubric'] = await rubricOption(options.rubric);
  if (options.judging !== undefined) quality['judging'] = options.judging;
  if (options.maxRounds !== undefined) {
    const rounds = Number(options.maxRounds);
    if (!Number.isInteger(rounds))
      cli.usageError(`--max-rounds must be a whole number, not '${options.maxRounds}'`);
    quality['maxRounds'] = rounds;
  }
  return Object.keys(quality).length > 0 ? quality : undefined;
}

/** The task budget from the --max-* flags (validated further by the task input schema). */
function budgetOf(cli: CliContext, options: RunOptions): Record<string, number> | undefined {
  const budget: Record<string, number> = {};
  const flags = [
    ['--max-usd', options.maxUsd, 'usd', 1],
    ['--max-tokens', options.maxTokens, 'tokens', 1],
    ['--max-calls', options.maxCalls, 'modelCalls', 1],
    ['--max-seconds', options.maxSeconds, 'wallTimeMs', 1000],
  ] as const;
  for (const [flag, value, key, scale] of flags) {
    if (value === undefined) continue;
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0)
      cli.usageError(`${flag} must be a positive number, not '${value}'`);
    budget[key] = key === 'usd' ? number : Math.round(number * scale);
  }
  return Object.keys(budget).length > 0 ? budget : undefined;
}

/** The task's routing from --objective/--min-quality/--strategy (validated by the task input schema). */
function routingOf(options: RunOptions): Record<string, unknown> | undefined {
  const routing: Record<string, unknown> = {};
  if (options.objective !== undefined) routing['objective'] = options.objective;
  if (options.strategy !== undefined) routing['strategy'] = options.strategy;
  if (options.minQuality !== undefined) routing['minQuality'] = Number(options.minQuality);
  return Object.keys(routing).length > 0 ? routing : undefined;
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
