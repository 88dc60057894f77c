import { countOf } from '../../core/plural.js';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { TaskResult } from '../../executor/index.js';
import { loadLabels } from '../../judge/index.js';
import { createTask } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { calibrationTable, usd } from '../format.js';
import type { CalibrationReport } from '../../judge/index.js';
import { rubricOption } from '../rubric-option.js';

/** `agentd forge "task"` and `agentd judge calibrate`: team design and judge calibration, each run as a task. */
export function registerQuality(program: Command, cli: CliContext): void {
  program
    .command('forge')
    .description(
      'Design a team for a task (topology, agents, rubric or checks, budget) and print it without running it',
    )
    .argument('<task>', 'the task to design a team for')
    .option('--json', 'print the whole task result as JSON')
    .action(async (task: string, options: { json?: boolean }) => {
      const result = await runToEnd(cli, { prompt: task, forge: 'design' });
      if (options.json) return void cli.io.stdout.write(JSON.stringify(result, null, 2) + '\n');
      if (result.status !== 'succeeded') return failed(cli, result);
      const report = JSON.parse(result.output ?? '{}') as {
        source: string;
        errors: string[];
        design: unknown;
      };
      cli.io.stdout.write(JSON.stringify(report.design, null, 2) + '\n');
      cli.io.stderr.write(
        `design: ${report.source}${report.errors.length > 0 ? ` (after: ${report.errors.join('; ')})` : ''} · ${countOf(result.modelCalls, 'model call')} · ${usd(result.cost.usd)}\n`,
      );
    });

  const judge = program.command('judge').description('Judges: calibrate them against human labels');
  judge
    .command('calibrate')
    .description(
      'Score human-labelled items with every judge (quality.judges); report accuracy, Cohen’s κ, position-swap consistency and cost, and store it for weights and gating',
    )
    .requiredOption(
      '--rubric <file|name>',
      'the rubric (a YAML or JSON file, or a name in quality.rubricDir)',
    )
    .requiredOption(
      '--labels <file>',
      'labelled items, one JSON object a line: {"id", "input", "output", "label": "pass"|"fail"}',
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { rubric: string; labels: string; json?: boolean }) => {
      const labels = await loadLabels(resolve(options.labels));
      const result = await runToEnd(cli, {
        prompt: `calibrate the judges of ${options.rubric} on ${labels.length} labelled items`,
        calibrate: { rubric: await rubricOption(options.rubric), labels },
      });
      if (result.status !== 'succeeded') return failed(cli, result);
      if (options.json) return void cli.io.stdout.write(`${result.output ?? ''}\n`);
      cli.io.stdout.write(calibrationTable(JSON.parse(result.output ?? '{}') as CalibrationReport));
      cli.io.stderr.write(
        `${result.id} · ${countOf(result.modelCalls, 'model call')} · ${usd(result.cost.usd)}\n`,
      );
    });
}

async function runToEnd(cli: CliContext, input: Record<string, unknown>): Promise<TaskResult> {
  const runtime = await cli.openRuntime();
  if (runtime.models.notice) cli.io.stderr.write(`agentd: ${runtime.models.notice}\n`);
  const submitted = await cli.invoke(createTask, input);
  return runtime.tasks.wait(submitted.id);
}

function failed(cli: CliContext, result: TaskResult): void {
  cli.io.stderr.write(
    `agentd: task ${result.status}: ${result.error?.code ?? ''}: ${result.error?.message ?? ''}\n`,
  );
  cli.exitCode = 1;
}
