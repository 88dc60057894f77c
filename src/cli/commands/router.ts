import { countOf } from '../../core/plural.js';
import type { Command } from 'commander';
import { explainRoute, routerStats } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { routeExplanation, routerStatsTable } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

/** `agentd router explain | stats`. */
export function registerRouter(program: Command, cli: CliContext): void {
  const router = program
    .command('router')
    .description('The model router: explain a routing decision, show what it has learned');

  router
    .command('explain')
    .description('Show which model a call would go to, every candidate’s scores, and why')
    .option('--kind <kind>', 'task kind (code, math, extraction, summarisation, writing, reasoning, chat, …)')
    .option('--prompt <text>', 'classify the task kind from this text instead')
    .option('--objective <objective>', 'cheapest | best | balanced (default: router.objective)')
    .option('--strategy <strategy>', 'single | cascade')
    .option('--min-quality <q>', 'expected quality (0–1) a model must reach')
    .option('--max-latency <ms>', 'p95 latency a model must stay under')
    .option('--max-cost <usd>', 'estimated cost a call must stay under')
    .option('--needs <list>', 'capabilities, comma-separated: tools,json,vision')
    .option('--input-tokens <n>', 'input tokens of the call (default: from --prompt, else 1000)')
    .option('--max-output-tokens <n>', 'output cap of the call')
    .option('--model <id>', 'a pinned model, to see its fallbacks')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        kind?: string;
        prompt?: string;
        objective?: string;
        strategy?: string;
        minQuality?: string;
        maxLatency?: string;
        maxCost?: string;
        needs?: string;
        inputTokens?: string;
        maxOutputTokens?: string;
        model?: string;
        json?: boolean;
      }) => {
        const input: Record<string, unknown> = {};
        const set = (key: string, value: unknown) => {
          if (value !== undefined) input[key] = value;
        };
        set('kind', options.kind);
        set('prompt', options.prompt);
        set('objective', options.objective);
        set('strategy', options.strategy);
        set('minQuality', options.minQuality);
        set('maxLatencyMs', options.maxLatency);
        set('maxCostUsd', options.maxCost);
        set(
          'needs',
          options.needs
            ?.split(',')
            .map((n) => n.trim())
            .filter(Boolean),
        );
        set('inputTokens', options.inputTokens);
        set('maxOutputTokens', options.maxOutputTokens);
        set('model', options.model);
        const explanation = await cli.invoke(explainRoute, input);
        cli.io.stdout.write(
          options.json ? JSON.stringify(explanation, null, 2) + '\n' : routeExplanation(explanation),
        );
      },
    );

  registerOperationCommand(router, cli, {
    operation: routerStats,
    name: 'stats',
    description: 'Per model and task kind: calls, learned quality with its interval, latency, errors, spend',
    print(result) {
      if (result.stats.length === 0) {
        cli.io.stderr.write('the router has not observed any model call yet\n');
      } else {
        cli.io.stdout.write(routerStatsTable(result.stats));
      }
      for (const circuit of result.circuits) {
        cli.io.stdout.write(
          `circuit ${circuit.state}: ${circuit.scope} ${circuit.id}` +
            (circuit.openedAt ? ` since ${new Date(circuit.openedAt).toISOString()}` : '') +
            '\n',
        );
      }
      for (const limited of result.rateLimited) {
        cli.io.stdout.write(
          `rate-limited: model ${limited.modelId} until ${new Date(limited.until).toISOString()}\n`,
        );
      }
      for (const flagged of result.overMaxTokens) {
        cli.io.stdout.write(
          `over max_tokens: model ${flagged.modelId} reported more output than asked for in ${countOf(flagged.calls, 'call')}\n`,
        );
      }
    },
  });
}
