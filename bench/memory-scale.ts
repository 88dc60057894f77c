// Memory at scale: 100,000 synthetic memories (5 tenants, 4 layers, 4 teams; random sentences from a
// 2,000-word vocabulary; random unit 512-d vectors standing in for embeddings) in a SQLite file,
// then recall latency of the hybrid search (BM25 + vector KNN + fusion + re-scoring, k = 10) with
// scope filters, and write throughput. Query vectors are synthetic too, so the figures exclude
// embedding the query (measured separately with the real USE-lite model).
// Run with `npm run bench -- memory-scale`; options: --memories N (default 100000), --queries N.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryConfigSchema, searchMemories } from '../src/memory/index.js';
import type { EmbeddingModel } from '../src/models/index.js';
import { createUseLiteEmbeddingModel } from '../src/models/providers/use-lite/use-lite-embedding-model.js';
import { seededRandom } from '../src/router/index.js';
import type { MemoryFilter, MemoryLayer, MemoryRecord } from '../src/store/memory-store.js';
import { openSqliteStores } from '../src/store/sqlite/open-sqlite-stores.js';
import { formatMegabytes, intOption, machineLine, percentile, printTable } from './bench-kit.js';

const DIMENSIONS = 512;
const TENANTS = ['t0', 't1', 't2', 't3', 't4'];
const LAYERS: MemoryLayer[] = ['working', 'episodic', 'semantic', 'procedural'];
const TEAMS = ['alpha', 'beta', 'gamma', 'delta'];

export async function run(args: string[]): Promise<void> {
  const count = intOption(args, 'memories', 100_000);
  const queries = intOption(args, 'queries', 1_000);
  const random = seededRandom(17);
  const vocabulary = Array.from({ length: 2_000 }, (_, i) => word(i, random));
  const sentence = () =>
    Array.from({ length: 8 + Math.floor(random() * 12) }, () => vocabulary[zipf(random)]).join(' ');
  const unitVector = () => {
    const v = new Float32Array(DIMENSIONS);
    let norm = 0;
    for (let i = 0; i < DIMENSIONS; i++) {
      const x = normal(random);
      v[i] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < DIMENSIONS; i++) v[i] = (v[i] as number) / norm;
    return v;
  };

  const dir = mkdtempSync(join(tmpdir(), 'agentd-memory-scale-'));
  const stores = openSqliteStores({ path: join(dir, 'agentd.db') });
  process.stdout.write(
    `memory-scale: ${count} memories, ${queries} queries, vector index: ${stores.memories.vectorIndex}\nmachine: ${machineLine()}\n\n`,
  );
  try {
    const now = Date.now();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const record: MemoryRecord = {
        id: `mem_${i}`,
        layer: LAYERS[i % LAYERS.length] as MemoryLayer,
        tenant: TENANTS[i % TENANTS.length] as string,
        team: TEAMS[Math.floor(i / 5) % TEAMS.length] as string,
        agent: null,
        taskId: null,
        content: sentence(),
        embedding: unitVector(),
        embeddingModel: 'synthetic/512',
        importance: random(),
        createdAt: now - Math.floor(random() * 90 * 86_400_000),
        lastAccessedAt: now,
        accessCount: 0,
        validFrom: now,
        validTo: null,
        supersededBy: null,
        provenance: { taskId: null, step: null, source: null },
        tags: [],
      };
      record.lastAccessedAt = record.createdAt;
      await stores.memories.add(record);
      if ((i + 1) % 20_000 === 0) process.stderr.write(`  written ${i + 1}\n`);
    }
    const writeSeconds = (performance.now() - started) / 1000;

    const config = MemoryConfigSchema.parse({}).retrieval;
    let queryVector = unitVector();
    const embedder: EmbeddingModel = {
      id: 'synthetic/512',
      dimensions: DIMENSIONS,
      embed: async () => [queryVector],
    };
    const cases: { name: string; filter: () => MemoryFilter }[] = [
      { name: 'tenant only (20k memories in scope)', filter: () => ({ tenant: pick(TENANTS, random) }) },
      {
        name: 'tenant + layer (5k in scope)',
        filter: () => ({ tenant: pick(TENANTS, random), layers: [pick(LAYERS, random)] }),
      },
      {
        name: 'tenant + layer + team',
        filter: () => ({
          tenant: pick(TENANTS, random),
          layers: [pick(LAYERS, random)],
          team: pick(TEAMS, random),
        }),
      },
    ];
    const rows: string[][] = [];
    for (const c of cases) {
      const times: number[] = [];
      for (let q = 0; q < queries + 50; q++) {
        queryVector = unitVector();
        const text = sentence().split(' ').slice(0, 4).join(' ');
        const t0 = performance.now();
        await searchMemories(
          { store: stores.memories, embedder, config, now },
          { text, filter: c.filter(), limit: 10 },
        );
        if (q >= 50) times.push(performance.now() - t0);
      }
      const p95 = percentile(times, 95);
      rows.push([c.name, percentile(times, 50).toFixed(2), p95.toFixed(2), p95 <= 20 ? 'yes' : 'no']);
    }
    printTable(['recall, k = 10 (hybrid)', 'p50 ms', 'p95 ms', 'p95 ≤ 20 ms?'], rows);

    const use = createUseLiteEmbeddingModel();
    await use.embed(['warm up']);
    const embedTimes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await use.embed([sentence()]);
      embedTimes.push(performance.now() - t0);
    }
    const size = statSync(join(dir, 'agentd.db')).size;
    printTable(
      ['metric', 'value'],
      [
        [
          'write throughput (add with FTS5 and vector index, one transaction each)',
          `${(count / writeSeconds).toFixed(0)} memories/s`,
        ],
        ['database size', formatMegabytes(size)],
        [
          'embedding one query with USE-lite, p50 / p95 (not in the recall figures)',
          `${percentile(embedTimes, 50).toFixed(1)} / ${percentile(embedTimes, 95).toFixed(1)} ms`,
        ],
      ],
    );
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A pronounceable pseudo-word for index i. */
function word(i: number, random: () => number): string {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'zu', 'pi', 'da', 'go'];
  let out = '';
  for (let n = 0; n < 2 + (i % 3); n++) out += syllables[Math.floor(random() * syllables.length)];
  return `${out}${i}`;
}

/** A Zipf-like index into the vocabulary: a few words are common, most are rare. */
function zipf(random: () => number): number {
  return Math.min(1999, Math.floor(Math.pow(random(), 3) * 2000));
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)] as T;
}
