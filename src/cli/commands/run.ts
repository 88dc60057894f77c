import { AgentdError } from '../../core/errors.js';
import '../../topology/topology-error-codes.js';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadAgentFile, loadTeamFile } from '../../agents/index.js';
import { createTask, listTasks } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { followTask } from '../follow-task.js';
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

      const runtime = await cli.openRuntime({ worker: true });
      if (runtime.models.notice) cli.io.stderr.write(`agentd: ${runtime.models.notice}\n`);
      await mentionInterrupted(cli, prompt);
      const submitted = await cli.invoke(createTask, input).catch((error: unknown) => {
        throw options.team ? blamingFile(error, options.team) : error;
      });
      await followTask(cli, submitted.id, options.json === true);
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

/**
 * Says (one line on stderr, never a question: a script must not block) when a task with the same
 * prompt was interrupted, so the user can resume it instead of paying for its steps again.
 */
async function mentionInterrupted(cli: CliContext, prompt: string): Promise<void> {
  const { tasks } = await cli.invoke(listTasks, { interrupted: true });
  const same = tasks.find((task) => task.prompt === prompt && task.interruption?.adopted !== false);
  if (!same) return;
  cli.io.stderr.write(
    `agentd: task ${same.id} with this prompt was interrupted (its process is gone); resume it with: agentd tasks resume ${same.id}\n`,
  );
}

/** A team the topology refuses is the team file's fault: its error names the file first. */
function blamingFile(error: unknown, file: string): unknown {
  if (!(error instanceof AgentdError) || error.code !== 'topology.invalid_team') return error;
  return new AgentdError({
    code: error.code,
    message: `${file}: ${error.message}`,
    ...(error.details ? { details: error.details } : {}),
    cause: error,
  });
}
