// The model router in a simulated world: models with hidden per-kind quality, prices, latency and
// failure rates (bench/router-sim.yaml, or --scenario FILE), a stream of tasks of mixed kinds, and a
// noisy simulated judge whose scores feed the router's learning. The router is the real one
// (selection, Thompson sampling, retries, breakers, fallbacks); only the model calls and the clock
// are simulated, so no network is used and latency is simulated time.
// Reports, after warm-up, each router policy against always-the-best-model, always-the-cheapest and
// an oracle that knows the hidden qualities. Options: --scenario FILE, --tasks N, --seed N.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APICallError } from '@ai-sdk/provider';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ModelInfo, ResolvedModel } from '../src/models/index.js';
import { createModelRouter, RouterConfigSchema, seededRandom } from '../src/router/index.js';
import type { ModelRouter, RouteRequest } from '../src/router/index.js';
import { openSqliteStores } from '../src/store/sqlite/open-sqlite-stores.js';
import { intOption, machineLine, option, printTable, userPath } from './bench-kit.js';

const ScenarioSchema = z.strictObject({
  seed: z.number().int(),
  tasks: z.number().int().min(100),
  warmup: z.number().int().min(0),
  judge: z.strictObject({ noise: z.number().min(0), passThreshold: z.number().min(0).max(1) }),
  kinds: z.record(
    z.string(),
    z.strictObject({
      share: z.number().positive(),
      inputTokens: z.number().int().positive(),
      outputTokens: z.number().int().positive(),
    }),
  ),
  models: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[^/\s]+\/\S+$/),
        inputPerMTok: z.number().nonnegative(),
        outputPerMTok: z.number().nonnegative(),
        latency: z.strictObject({ medianMs: z.number().positive(), sigma: z.number().min(0) }),
        failureRate: z.number().min(0).max(1),
        quality: z.record(z.string(), z.number().min(0).max(1)),
      }),
    )
    .min(2),
  prior: z.number().min(0).max(1),
  policies: z.array(z.strictObject({ name: z.string(), router: z.record(z.string(), z.unknown()) })).min(1),
});
type Scenario = z.infer<typeof ScenarioSchema>;
type SimModel = Scenario['models'][number];

interface Task {
  kind: string;
  inputTokens: number;
  outputTokens: number;
}

/** What a policy or baseline achieved over the measured (post-warm-up) tasks. */
interface Outcome {
  name: string;
  quality: number;
  costUsd: number;
  failed: number;
  latencyMs: number;
  passRate: number;
  explored?: number;
  router?: ModelRouter;
}

const benchDir = dirname(fileURLToPath(import.meta.url));

export async function run(args: string[]): Promise<void> {
  const scenarioArg = option(args, 'scenario');
  // A --scenario FILE is relative to where npm was run from; the default is the shipped scenario.
  const path = scenarioArg === undefined ? join(benchDir, 'router-sim.yaml') : userPath(scenarioArg);
  const scenario = ScenarioSchema.parse(parseYaml(readFileSync(path, 'utf8')));
  const seed = option(args, 'seed') === undefined ? scenario.seed : intOption(args, 'seed', scenario.seed);
  const count = intOption(args, 'tasks', scenario.tasks);
  if (count <= scenario.warmup)
    throw new Error(`--tasks must be more than the ${scenario.warmup} warm-up tasks`);
  for (const model of scenario.models) {
    for (const kind of Object.keys(scenario.kinds)) {
      if (model.quality[kind] === undefined)
        throw new Error(`${path}: ${model.id} has no quality for kind ${kind}`);
    }
  }
  const tasks = taskStream(scenario, count, seed);
  const measured = tasks.slice(scenario.warmup);
  process.stdout.write(
    `router-sim: ${path.replace(`${process.cwd()}/`, '')}, ${scenario.models.length} models, ${count} tasks ` +
      `(${scenario.warmup} warm-up), judge noise ${scenario.judge.noise}, seed ${seed}\n` +
      `machine: ${machineLine()}\n` +
      `every model starts from the same quality prior (${scenario.prior}): the router must learn who is good at what\n\n`,
  );

  const quality = (model: SimModel, kind: string) => model.quality[kind] as number;
  const meanQuality = (model: SimModel) => average(measured.map((t) => quality(model, t.kind)));
  const cost = (model: SimModel, task: Task) =>
    (task.inputTokens * model.inputPerMTok + task.outputTokens * model.outputPerMTok) / 1_000_000;
  const best = [...scenario.models].sort((a, b) => meanQuality(b) - meanQuality(a))[0] as SimModel;
  const cheapest = [...scenario.models].sort(
    (a, b) => sumOf(measured, (t) => cost(a, t)) - sumOf(measured, (t) => cost(b, t)),
  )[0] as SimModel;
  const judge = seededRandom(seed * 7 + 3);
  const fixed = (name: string, pick: (task: Task) => SimModel): Outcome => {
    const picks = measured.map((t) => ({ t, m: pick(t) }));
    return {
      name,
      quality: average(picks.map(({ t, m }) => quality(m, t.kind))),
      costUsd: sumOf(picks, ({ t, m }) => cost(m, t)),
      failed: 0,
      latencyMs: average(picks.map(({ m }) => m.latency.medianMs)),
      // Judged like the router's answers: the hidden quality plus the judge's noise.
      passRate: average(
        picks.map(({ t, m }) =>
          clamp01(quality(m, t.kind) + scenario.judge.noise * normal(judge)) >= scenario.judge.passThreshold
            ? 1
            : 0,
        ),
      ),
    };
  };
  const minQuality = policyMinQuality(scenario.policies[0]?.router);
  const oracle = (task: Task): SimModel => {
    const good = scenario.models
      .filter((m) => quality(m, task.kind) >= minQuality)
      .sort((a, b) => cost(a, task) - cost(b, task));
    return good[0] ?? [...scenario.models].sort((a, b) => quality(b, task.kind) - quality(a, task.kind))[0]!;
  };

  const outcomes: Outcome[] = [
    fixed(`always-best (${best.id})`, () => best),
    fixed(`always-cheapest (${cheapest.id})`, () => cheapest),
    fixed(`oracle: cheapest with true quality ≥ ${minQuality}`, oracle),
  ];
  for (const policy of scenario.policies) {
    const started = performance.now();
    outcomes.push(await simulate(scenario, tasks, policy, seed));
    process.stderr.write(
      `  ${policy.name}: simulated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
  const reference = outcomes[0] as Outcome;
  const cheap = outcomes[1] as Outcome;
  printTable(
    [
      'policy',
      'mean quality',
      'vs best',
      'vs cheapest',
      'cost / 1k tasks',
      'vs best',
      'vs cheapest',
      'pass rate',
      'failed',
      'mean latency',
      'explored',
    ],
    outcomes.map((o) => [
      o.name,
      o.quality.toFixed(3),
      pct(o.quality / reference.quality),
      pct(o.quality / cheap.quality),
      `$${((o.costUsd / measured.length) * 1000).toFixed(3)}`,
      pct(o.costUsd / reference.costUsd),
      `${(o.costUsd / cheap.costUsd).toFixed(1)}×`,
      pct(o.passRate),
      String(o.failed),
      `${(o.latencyMs / 1000).toFixed(2)} s`,
      o.explored === undefined ? '-' : pct(o.explored / measured.length),
    ]),
  );

  const main = outcomes[3] as Outcome;
  const kinds = Object.keys(scenario.kinds);
  const stats = main.router?.stats() ?? [];
  process.stdout.write(
    `learned quality (posterior mean) vs hidden, policy "${main.name}", observations in ():\n\n`,
  );
  printTable(
    ['model', ...kinds],
    scenario.models.map((model) => [
      model.id,
      ...kinds.map((kind) => {
        const stat = stats.find((s) => s.modelId === model.id && s.kind === kind);
        const learned = stat ? stat.quality.mean.toFixed(2) : '-';
        return `${learned} / ${quality(model, kind).toFixed(2)} (${stat?.quality.observations ?? 0})`;
      }),
    ]),
  );
  const qualityShare = main.quality / reference.quality;
  const costShare = main.costUsd / reference.costUsd;
  const met = qualityShare >= 0.95 && costShare <= 0.5;
  process.stdout.write(
    `target (≥ 95% of always-best quality at ≤ 50% of its cost), policy "${main.name}": ` +
      `${pct(qualityShare)} of the quality at ${pct(costShare)} of the cost — ${met ? 'met' : 'NOT met'}\n`,
  );
}

/** The tasks: kinds drawn by share, token counts ±30% around the kind's typical size. */
function taskStream(scenario: Scenario, count: number, seed: number): Task[] {
  const random = seededRandom(seed);
  const kinds = Object.entries(scenario.kinds);
  const total = sumOf(kinds, ([, k]) => k.share);
  return Array.from({ length: count }, () => {
    let draw = random() * total;
    const [kind, spec] =
      kinds.find(([, k]) => (draw -= k.share) <= 0) ?? (kinds.at(-1) as (typeof kinds)[number]);
    const jitter = () => 0.7 + 0.6 * random();
    return {
      kind,
      inputTokens: Math.round(spec.inputTokens * jitter()),
      outputTokens: Math.round(spec.outputTokens * jitter()),
    };
  });
}

/** Runs the task stream through a fresh router with the policy's settings. */
async function simulate(
  scenario: Scenario,
  tasks: Task[],
  policy: Scenario['policies'][number],
  seed: number,
): Promise<Outcome> {
  const random = seededRandom(seed * 31 + 1);
  const stores = openSqliteStores({ path: ':memory:' });
  let clock = 0;
  const byId = new Map(scenario.models.map((m) => [m.id, m]));
  const infos: ModelInfo[] = scenario.models.map((m) => {
    const [provider = '', model = ''] = m.id.split('/');
    return {
      id: m.id,
      provider,
      model,
      inputPerMTok: m.inputPerMTok,
      outputPerMTok: m.outputPerMTok,
      contextWindow: 1_000_000,
      capabilities: { tools: true, json: true, vision: false },
      quality: { default: scenario.prior },
      known: true,
      simulated: false,
    };
  });
  const configInput = policy.router as { exploration?: object; strategy?: string };
  const config = RouterConfigSchema.parse({
    ...policy.router,
    exploration: { share: 0.1, ...configInput.exploration, seed },
    retry: { maxRetries: 1, initialDelayMs: 0, maxDelayMs: 0 },
  });
  const router = createModelRouter({
    config,
    candidates: () => infos,
    resolve: (id) =>
      ({ info: infos.find((m) => m.id === id), local: false, model: undefined }) as unknown as ResolvedModel,
    store: stores.router,
    now: () => clock,
  });
  const signal = new AbortController().signal;
  const outcome: Outcome = {
    name: `router: ${policy.name}`,
    quality: 0,
    costUsd: 0,
    failed: 0,
    latencyMs: 0,
    passRate: 0,
    explored: 0,
    router,
  };
  const cascade = config.strategy === 'cascade';

  for (const [index, task] of tasks.entries()) {
    const measuring = index >= scenario.warmup;
    let spent = 0;
    let elapsed = 0;
    /** A simulated call: fails with the model's failure rate, else answers after its latency. */
    const attempt = async (model: ResolvedModel) => {
      const sim = byId.get(model.info.id) as SimModel;
      const latency = sim.latency.medianMs * Math.exp(sim.latency.sigma * normal(random));
      if (random() < sim.failureRate) {
        clock += latency / 4;
        elapsed += latency / 4;
        throw new APICallError({
          message: 'simulated 503',
          url: 'sim://',
          requestBodyValues: {},
          statusCode: 503,
          isRetryable: true,
        });
      }
      clock += latency;
      elapsed += latency;
      const costUsd =
        (task.inputTokens * sim.inputPerMTok + task.outputTokens * sim.outputPerMTok) / 1_000_000;
      spent += costUsd;
      return {
        value: sim,
        usage: { costUsd, inputTokens: task.inputTokens, outputTokens: task.outputTokens },
      };
    };
    const request: RouteRequest = {
      kind: task.kind,
      needs: {},
      inputTokens: task.inputTokens,
      maxOutputTokens: task.outputTokens * 2,
    };
    let answer: { model: SimModel; score: number } | undefined;
    let explored = false;
    const rejected: string[] = [];
    try {
      for (;;) {
        const result = await router.call(
          cascade ? { ...request, objective: 'cheapest', exclude: rejected, noExploration: true } : request,
          attempt,
          { signal },
        );
        explored ||= result.decision.explored;
        const model = result.value;
        const score = clamp01((model.quality[task.kind] as number) + scenario.judge.noise * normal(random));
        router.observe({ modelId: model.id, kind: task.kind, score });
        answer = { model, score };
        if (
          !cascade ||
          score >= scenario.judge.passThreshold ||
          rejected.length + 1 >= config.cascade.maxModels
        )
          break;
        rejected.push(model.id);
      }
    } catch {
      answer = undefined;
    }
    if (!measuring) continue;
    outcome.costUsd += spent;
    outcome.latencyMs += elapsed;
    if (explored) outcome.explored = (outcome.explored ?? 0) + 1;
    if (!answer) {
      outcome.failed += 1;
      continue;
    }
    outcome.quality += answer.model.quality[task.kind] as number;
    outcome.passRate += answer.score >= scenario.judge.passThreshold ? 1 : 0;
  }
  const n = tasks.length - scenario.warmup;
  outcome.quality /= n;
  outcome.passRate /= n;
  outcome.latencyMs /= n;
  await router.flush();
  await stores.close();
  return outcome;
}

function policyMinQuality(router: Record<string, unknown> | undefined): number {
  const constraints = router?.['constraints'] as { minQuality?: number } | undefined;
  return constraints?.minQuality ?? 0.85;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function sumOf<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
