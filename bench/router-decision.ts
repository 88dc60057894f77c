// How long the router takes to decide: `router.decide` (with Thompson draws) and `selectModel` alone,
// over a catalog of 50 synthetic models at 8 providers whose knowledge holds a few hundred observed
// calls and verdicts each, over several task kinds. Target: ≤ 50 µs p50.
// Run with `npm run bench -- router-decision`; options: --decisions N (default 20000), --warmup N.
import type { ModelInfo, ResolvedModel } from '../src/models/index.js';
import {
  createModelKnowledge,
  createModelRouter,
  RouterConfigSchema,
  seededRandom,
  selectModel,
} from '../src/router/index.js';
import type { RouteRequest, SelectionRequest } from '../src/router/index.js';
import { openSqliteStores } from '../src/store/sqlite/open-sqlite-stores.js';
import { intOption, machineLine, percentile, printTable } from './bench-kit.js';

const KINDS = ['code', 'math', 'extraction', 'summarisation', 'writing', 'reasoning', 'chat'];

/** 50 models at 8 providers, prices spread over two orders of magnitude. */
function catalog(random: () => number): ModelInfo[] {
  return Array.from({ length: 50 }, (_, i) => {
    const provider = `p${i % 8}`;
    const price = 0.05 * Math.exp(random() * Math.log(300));
    return {
      id: `${provider}/model-${i}`,
      provider,
      model: `model-${i}`,
      inputPerMTok: price,
      outputPerMTok: price * 4,
      contextWindow: [32_000, 128_000, 1_000_000][i % 3] as number,
      capabilities: { tools: i % 5 !== 0, json: true, vision: i % 2 === 0 },
      quality: { default: 0.5 + random() * 0.4 },
      known: true,
      simulated: false,
    };
  });
}

export async function run(args: string[]): Promise<void> {
  const decisions = intOption(args, 'decisions', 20_000);
  const warmup = intOption(args, 'warmup', 2_000);
  const random = seededRandom(11);
  const models = catalog(random);
  const stores = openSqliteStores({ path: ':memory:' });
  const config = RouterConfigSchema.parse({ exploration: { share: 1, seed: 5 } });
  const router = createModelRouter({
    config,
    candidates: () => models,
    resolve: (id) =>
      ({ info: models.find((m) => m.id === id), local: false, model: undefined }) as unknown as ResolvedModel,
    store: stores.router,
  });
  // Knowledge: ~300 observed calls and verdicts per model, over every kind.
  const knowledge = createModelKnowledge({
    posterior: 'beta',
    latencyAlpha: 0.2,
    latencyWindow: 100,
    now: Date.now,
  });
  for (const model of models) {
    for (let n = 0; n < 300; n++) {
      const kind = KINDS[n % KINDS.length] as string;
      const call = {
        modelId: model.id,
        kind,
        latencyMs: 200 + random() * 3000,
        costUsd: 0.001,
        inputTokens: 1000,
        outputTokens: 300,
      };
      knowledge.recordCall(call);
      const observation = { modelId: model.id, kind, score: random() };
      knowledge.recordQuality(observation);
      router.observe(observation);
    }
  }
  await stores.router.upsert(knowledge.records());
  await router.load();

  const base: RouteRequest = {
    kind: 'code',
    needs: { tools: true },
    inputTokens: 2_000,
    maxOutputTokens: 1_000,
  };
  const cases: { name: string; decide: () => unknown }[] = [
    { name: 'router.decide, cheapest, no constraints', decide: () => router.decide(base) },
    {
      name: 'router.decide, cheapest, minQuality + maxLatencyMs',
      decide: () => router.decide({ ...base, constraints: { minQuality: 0.6, maxLatencyMs: 3000 } }),
    },
    { name: 'router.decide, balanced', decide: () => router.decide({ ...base, objective: 'balanced' }) },
    {
      name: 'router.decide, pinned model (fallback ranking)',
      decide: () => router.decide({ ...base, pinned: 'p3/model-11' }),
    },
  ];
  const selection: SelectionRequest = {
    kind: 'code',
    needs: { tools: true },
    inputTokens: 2_000,
    maxOutputTokens: 1_000,
    constraints: { minQuality: 0.6 },
    objective: 'cheapest',
    explore: true,
  };
  const context = { candidates: models, knowledge, config, random, available: () => true };
  cases.push({
    name: 'selectModel alone (Thompson draws, minQuality)',
    decide: () => selectModel(selection, context),
  });

  process.stdout.write(
    `router-decision: ${models.length} models, 8 providers, ${decisions} decisions per row\n`,
  );
  process.stdout.write(`machine: ${machineLine()}\n\n`);
  const rows: string[][] = [];
  for (const c of cases) {
    for (let i = 0; i < warmup; i++) c.decide();
    const times: number[] = [];
    for (let i = 0; i < decisions; i++) {
      const start = process.hrtime.bigint();
      c.decide();
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    const p50 = percentile(times, 50);
    rows.push([c.name, p50.toFixed(1), percentile(times, 99).toFixed(1), p50 <= 50 ? 'yes' : 'no']);
  }
  printTable(['decision', 'p50 µs', 'p99 µs', 'p50 ≤ 50 µs?'], rows);
  await stores.close();
}
