// Memory at scale: 100,000 synthetic memories (5 tenants, 4 layers, 4 teams; random sentences from a
// 2,000-word vocabulary; random unit 512-d vectors standing in for embeddings) in a SQLite file,
// then recall latency of the hybrid search (BM25 + vector KNN + fusion + re-scoring, k = 10) with
// scope filters, and write throughput. Query vectors are synthetic too, so the figures exclude
// embedding the query (measured separately with the real USE-lite model). Also: the text and vector
// searches alone, and the vector search's recall against an exact scan of the same tenant and filter
// (a speedup that loses neighbours shows there).
// Then write throughput in batches (`addMany`, one transaction, as a task's memories are written), and
// the hybrid search with prompt-length text (what a task's recall sends).
// Run with `npm run bench -- memory-scale`; options: --memories N (default 100000), --queries N
// (default 1000), --recall-queries N (default 50), --batch N (adds per transaction in the batched
// writes, default 10), --batched-writes N (default 10000), --store sqlite|postgres (postgres: the
// memories in a schema of their own in --postgres-url, default the local test database, dropped
// after; the exact answer for the recall check comes from an exact-scan SQLite copy written beside).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryConfigSchema, searchMemories } from '../src/memory/index.js';
import type { EmbeddingModel } from '../src/models/index.js';
import { createUseLiteEmbeddingModel } from '../src/models/providers/use-lite/use-lite-embedding-model.js';
import { seededRandom } from '../src/router/index.js';
import type { MemoryFilter, MemoryLayer, MemoryRecord } from '../src/store/memory-store.js';
import type { MemoryStore } from '../src/store/memory-store.js';
import { memoryMigrations } from '../src/store/postgres/memory-migrations.js';
import { PostgresMemoryStore } from '../src/store/postgres/postgres-memory-store.js';
import {
  applyTestMigrations,
  createTestSchema,
  TEST_DATABASE_URL,
} from '../src/store/postgres/testing-pg-schema.js';
import type { TestSchema } from '../src/store/postgres/testing-pg-schema.js';
import { openSqliteDatabase, openSqliteStores } from '../src/store/sqlite/open-sqlite-stores.js';
import { SqliteMemoryStore } from '../src/store/sqlite/sqlite-memory-store.js';
import { formatMegabytes, intOption, machineLine, percentile, printTable } from './bench-kit.js';

const DIMENSIONS = 512;
const TENANTS = ['t0', 't1', 't2', 't3', 't4'];
const LAYERS: MemoryLayer[] = ['working', 'episodic', 'semantic', 'procedural'];
const TEAMS = ['alpha', 'beta', 'gamma', 'delta'];

export async function run(args: string[]): Promise<void> {
  const count = intOption(args, 'memories', 100_000);
  const queries = intOption(args, 'queries', 1_000);
  const recallQueries = intOption(args, 'recall-queries', 50);
  const batch = intOption(args, 'batch', 10);
  const batchedWrites = intOption(args, 'batched-writes', 10_000);
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

  const storeKind = args.includes('--store') ? args[args.indexOf('--store') + 1] : 'sqlite';
  if (storeKind !== 'sqlite' && storeKind !== 'postgres') throw new Error('--store is sqlite or postgres');
  const urlAt = args.indexOf('--postgres-url');
  const postgresUrl = urlAt >= 0 ? (args[urlAt + 1] as string) : TEST_DATABASE_URL;

  const dir = mkdtempSync(join(tmpdir(), 'agentd-memory-scale-'));
  // With --store postgres the SQLite file is an exact-scan copy, what the recall check compares with.
  const sqliteStores =
    storeKind === 'sqlite' ? openSqliteStores({ path: join(dir, 'agentd.db') }) : undefined;
  const copyDb = sqliteStores ? undefined : openSqliteDatabase({ path: join(dir, 'agentd.db') });
  const exactCopy = copyDb ? new SqliteMemoryStore(copyDb, { vectorIndex: 'exact-scan' }) : undefined;
  let schema: TestSchema | undefined;
  let memories: MemoryStore;
  if (sqliteStores) memories = sqliteStores.memories;
  else {
    schema = await createTestSchema({ url: postgresUrl });
    await applyTestMigrations(schema.pool, memoryMigrations);
    memories = new PostgresMemoryStore(schema.pool);
  }
  const stores = { memories };
  process.stdout.write(
    `memory-scale: ${count} memories, ${queries} queries, store: ${storeKind}, vector index: ${stores.memories.vectorIndex}\nmachine: ${machineLine()}\n1-minute load average at start: ${loadAverage()}\n\n`,
  );
  try {
    const now = Date.now();
    const newRecord = (i: number): MemoryRecord => {
      const record: MemoryRecord = {
        id: `mem_${i}`,
        layer: LAYERS[i % LAYERS.length] as MemoryLayer,
        tenant: TENANTS[i % TENANTS.length] as string,
        // i / 20, not i / 5: tenant and layer are i mod 5 and i mod 4, so every (tenant, layer) has
        // all four teams (with i / 5 each had one, and three filters in four matched nothing).
        team: TEAMS[Math.floor(i / 20) % TEAMS.length] as string,
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
      return record;
    };
    let writeMs = 0;
    for (let i = 0; i < count; i++) {
      const record = newRecord(i);
      const t0 = performance.now();
      await stores.memories.add(record);
      writeMs += performance.now() - t0;
      await exactCopy?.add(record);
      if ((i + 1) % 20_000 === 0) process.stderr.write(`  written ${i + 1}\n`);
    }
    const writeSeconds = writeMs / 1000;

    const config = MemoryConfigSchema.parse({}).retrieval;
    let queryVector = unitVector();
    const embedder: EmbeddingModel = {
      id: 'synthetic/512',
      dimensions: DIMENSIONS,
      embed: async () => [queryVector],
    };
    const cases: { name: string; filter: () => MemoryFilter; words?: number }[] = [
      { name: 'tenant only (20k memories in scope)', filter: () => ({ tenant: pick(TENANTS, random) }) },
      {
        name: 'tenant + layer (5k in scope)',
        filter: () => ({ tenant: pick(TENANTS, random), layers: [pick(LAYERS, random)] }),
      },
      {
        name: 'tenant + layer + team (1.25k)',
        filter: () => ({
          tenant: pick(TENANTS, random),
          layers: [pick(LAYERS, random)],
          team: pick(TEAMS, random),
        }),
      },
    ];
    // Measured after the recall check below, so that the queries above and the recall check's are the
    // ones earlier runs of this benchmark drew.
    const promptCase = {
      name: 'tenant only, 30-word text (a prompt)',
      filter: () => ({ tenant: pick(TENANTS, random) }),
      words: 30,
    };
    // The hybrid search asks each index for k × candidates hits.
    const pool = 10 * config.candidates;
    const headers = [
      'recall, k = 10 (hybrid)',
      'p50 ms',
      'p95 ms',
      'p95 ≤ 20 ms?',
      `text alone (${pool} hits), p50 / p95 ms`,
      `vector alone (${pool} hits), p50 / p95 ms`,
    ];
    const measure = async (c: (typeof cases)[number]): Promise<string[]> => {
      const times: number[] = [];
      const textTimes: number[] = [];
      const vectorTimes: number[] = [];
      for (let q = 0; q < queries + 50; q++) {
        queryVector = unitVector();
        const text = Array.from({ length: Math.ceil((c.words ?? 4) / 8) }, sentence)
          .join(' ')
          .split(' ')
          .slice(0, c.words ?? 4)
          .join(' ');
        const filter = c.filter();
        const t0 = performance.now();
        await searchMemories({ store: stores.memories, embedder, config, now }, { text, filter, limit: 10 });
        const t1 = performance.now();
        // Each index alone, with the same query (so with the pages the hybrid search just read).
        await stores.memories.searchText({ text, filter, limit: pool });
        const t2 = performance.now();
        await stores.memories.searchVector({ vector: queryVector, filter, limit: pool });
        const t3 = performance.now();
        if (q >= 50) {
          times.push(t1 - t0);
          textTimes.push(t2 - t1);
          vectorTimes.push(t3 - t2);
        }
      }
      const p95 = percentile(times, 95);
      return [
        c.name,
        percentile(times, 50).toFixed(2),
        p95.toFixed(2),
        p95 <= 20 ? 'yes' : 'no',
        `${percentile(textTimes, 50).toFixed(2)} / ${percentile(textTimes, 95).toFixed(2)}`,
        `${percentile(vectorTimes, 50).toFixed(2)} / ${percentile(vectorTimes, 95).toFixed(2)}`,
      ];
    };
    const rows: string[][] = [];
    for (const c of cases) rows.push(await measure(c));
    printTable(headers, rows);

    // The exact answer: a second connection whose store scans every vector in the filter.
    const exactDb = exactCopy ? undefined : openSqliteDatabase({ path: join(dir, 'agentd.db') });
    try {
      const exact =
        exactCopy ??
        new SqliteMemoryStore(exactDb as NonNullable<typeof exactDb>, { vectorIndex: 'exact-scan' });
      const recall = async (vector: Float32Array, filter: MemoryFilter, limit: number) => {
        const truth = await exact.searchVector({ vector, filter, limit });
        const found = new Set(
          (await stores.memories.searchVector({ vector, filter, limit })).map((hit) => hit.id),
        );
        return truth.length === 0 ? 1 : truth.filter((hit) => found.has(hit.id)).length / truth.length;
      };
      const qualityRows: string[][] = [];
      for (const c of cases) {
        let at10 = 0;
        let atPool = 0;
        for (let q = 0; q < recallQueries; q++) {
          const vector = unitVector();
          const filter = c.filter();
          at10 += await recall(vector, filter, 10);
          atPool += await recall(vector, filter, pool);
        }
        qualityRows.push([c.name, (at10 / recallQueries).toFixed(3), (atPool / recallQueries).toFixed(3)]);
      }
      printTable(
        [
          `vector search vs exact scan (${recallQueries} queries)`,
          'recall@10',
          `recall@${pool} (as the hybrid asks)`,
        ],
        qualityRows,
      );
    } finally {
      exactDb?.close();
    }

    printTable(headers, [await measure(promptCase)]);

    // Batched writes: `batch` memories per transaction (addMany), into the database as it now is.
    const batchedStarted = performance.now();
    for (let i = count; i < count + batchedWrites; i += batch) {
      const records = Array.from({ length: Math.min(batch, count + batchedWrites - i) }, (_, k) =>
        newRecord(i + k),
      );
      await stores.memories.addMany(records);
    }
    const batchedSeconds = (performance.now() - batchedStarted) / 1000;

    const use = createUseLiteEmbeddingModel();
    await use.embed(['warm up']);
    const embedTimes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await use.embed([sentence()]);
      embedTimes.push(performance.now() - t0);
    }
    const size = schema
      ? Number(
          (
            await schema.pool.query<{ bytes: string }>(
              `SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
              [schema.name],
            )
          ).rows[0]?.bytes ?? 0,
        )
      : statSync(join(dir, 'agentd.db')).size;
    printTable(
      ['metric', 'value'],
      [
        [
          'write throughput (add with FTS5 and vector index, one transaction each)',
          `${(count / writeSeconds).toFixed(0)} memories/s`,
        ],
        [
          `write throughput, ${batch} per transaction (addMany), ${count} → ${count + batchedWrites} memories`,
          `${(batchedWrites / batchedSeconds).toFixed(0)} memories/s`,
        ],
        ['database size', formatMegabytes(size)],
        ['1-minute load average at the end', loadAverage()],
        [
          'embedding one query with USE-lite, p50 / p95 (not in the recall figures)',
          `${percentile(embedTimes, 50).toFixed(1)} / ${percentile(embedTimes, 95).toFixed(1)} ms`,
        ],
      ],
    );
  } finally {
    await schema?.drop();
    copyDb?.close();
    await sqliteStores?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadAverage(): string {
  return (loadavg()[0] as number).toFixed(2);
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
