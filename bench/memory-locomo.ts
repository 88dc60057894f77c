// Memory retrieval on real conversations: the LoCoMo long-term dialogues (Maharana et al., "Evaluating
// Very Long-Term Conversational Memory of LLM Agents", ACL 2024, arXiv 2402.17753). Every turn of a
// conversation becomes an episodic memory dated by its session, embedded with the offline USE-lite
// model, in a fresh SQLite store (one tenant per conversation); then each question of the
// conversation is asked in six modes: `searchMemories` hybrid, BM25 alone and vectors alone (each
// scored as agentd ranks), the plain indexes (the store's FTS5 BM25 order, and its cosine order, with
// no scoring of agentd's), all with the same query, and the runtime recall path (`MemoryService.recall`,
// after its relevance gates and token budget, on its own copy of the store: recall counts an access);
// recall@5 / recall@10 of the evidence turns is reported per question category, with ingest time and
// query latency. The data is read where it lies (`--data`), never copied into the repository.
// Run with `npm run bench -- memory-locomo`; options: --data PATH (relative to the directory npm was
// run from; default ../shared/data/locomo from the repository root), --conversations N (the first N
// files only, for a quick run), --fusion blend|rrf and --vector-weight W (memory.retrieval.fusion),
// --store sqlite|postgres (the memory store; postgres uses a schema of its own in --postgres-url, by
// default the local test database, dropped after).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { silentLogger } from '../src/core/logger.js';
import { createMemoryService, MemoryConfigSchema, searchMemories, textQuery } from '../src/memory/index.js';
import type { SearchMode } from '../src/memory/index.js';
import { createUseLiteEmbeddingModel } from '../src/models/providers/use-lite/use-lite-embedding-model.js';
import type { MemoryRecord, MemoryStore } from '../src/store/memory-store.js';
import type { ProcedureStore } from '../src/store/procedure-store.js';
import { memoryMigrations } from '../src/store/postgres/memory-migrations.js';
import { PostgresMemoryStore } from '../src/store/postgres/postgres-memory-store.js';
import {
  applyTestMigrations,
  createTestSchema,
  TEST_DATABASE_URL,
} from '../src/store/postgres/testing-pg-schema.js';
import { openSqliteStores } from '../src/store/sqlite/open-sqlite-stores.js';
import { cleanEvidence } from './locomo-evidence.js';
import { formatMs, intOption, machineLine, option, percentile, printTable, userPath } from './bench-kit.js';

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DATA = '../shared/data/locomo';
/** Modes of `searchMemories`, then the plain indexes, then the runtime's recall. */
const SEARCH_MODES = ['hybrid', 'text', 'vector'] as const satisfies readonly SearchMode[];
const MODES = [...SEARCH_MODES, 'bm25', 'cosine', 'recall', 'recallText'] as const;
const MODE_LABELS: Record<(typeof MODES)[number], string> = {
  hybrid: 'hybrid, scored (query embedded)',
  text: 'BM25, scored',
  vector: 'vector, scored (query embedded)',
  bm25: 'plain BM25 (FTS5 order)',
  cosine: 'plain cosine (query embedded)',
  recall: 'runtime recall, after its gates (query embedded)',
  recallText: 'runtime recall, text only (query not embedded)',
};
const LIMIT = 10;
const KS = [5, 10] as const;
// Turns embedded per call: the embedder's own batch size, so each call is one model run.
const EMBED_BATCH = 64;
const DAY_MS = 86_400_000;
const CATEGORIES: ReadonlyMap<number, string> = new Map([
  [1, '1 multi-hop'],
  [2, '2 temporal'],
  [3, '3 open-domain'],
  [4, '4 single-hop'],
  [5, '5 adversarial'],
]);
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const TurnSchema = z.object({
  speaker: z.string(),
  dia_id: z.string(),
  text: z.string(),
  blip_caption: z.string().optional(),
});
const QuestionSchema = z.object({
  question: z.string(),
  evidence: z.array(z.string()),
  category: z.number().int(),
});
const ConversationSchema = z.object({ qa: z.array(QuestionSchema) });

type Mode = (typeof MODES)[number];

/** One turn ready to be stored. */
interface Turn {
  diaId: string;
  content: string;
  at: number;
}

/** One question with its evidence cleaned up to dia_ids that exist in the conversation. */
interface Question {
  text: string;
  category: number;
  evidence: string[];
}

/** A conversation file, parsed. */
interface Conversation {
  name: string;
  turns: Turn[];
  questions: Question[];
  /** Evidence entries that were not a plain dia_id, and what became of them. */
  evidenceNotes: string[];
  /** Questions left without evidence (nothing to recall, so no recall to measure). */
  skipped: number;
}

/** Sums of recall@k over the questions of one category, per mode. */
interface RecallSums {
  questions: number;
  recall: Record<Mode, Record<(typeof KS)[number], number>>;
}

/** The stores one run of a conversation uses: its memories (SQLite or Postgres) and procedures (SQLite). */
async function openBenchStores(
  kind: 'sqlite' | 'postgres',
  path: string,
  postgresUrl: string,
): Promise<{ memories: MemoryStore; procedures: ProcedureStore; close(): Promise<void> }> {
  const sqlite = openSqliteStores({ path });
  if (kind === 'sqlite') return sqlite;
  const schema = await createTestSchema({ url: postgresUrl });
  await applyTestMigrations(schema.pool, memoryMigrations);
  return {
    memories: new PostgresMemoryStore(schema.pool),
    procedures: sqlite.procedures,
    async close() {
      await sqlite.close();
      await schema.drop();
    },
  };
}

/** Runs the benchmark; see the header comment for what it measures. */
export async function run(args: string[]): Promise<void> {
  const dataArg = option(args, 'data');
  if (args.includes('--data') && dataArg === undefined) return fail('--data needs a path');
  const dataDir = dataArg === undefined ? resolve(REPOSITORY_ROOT, DEFAULT_DATA) : userPath(dataArg);
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    return fail(`no LoCoMo data at ${dataDir} (give the folder of conv-*.json with --data PATH)`);
  }
  const files = readdirSync(dataDir)
    .filter((file) => /^conv-.*\.json$/.test(file))
    .sort();
  if (files.length === 0) {
    return fail(`no conv-*.json files in ${dataDir} (give the LoCoMo folder with --data PATH)`);
  }
  const selected = files
    .slice(0, intOption(args, 'conversations', files.length))
    .map((file) => file.slice(0, -'.json'.length));
  const conversations = selected.map((name) => readConversation(join(dataDir, `${name}.json`), name));
  const storeKind = option(args, 'store') ?? 'sqlite';
  if (storeKind !== 'sqlite' && storeKind !== 'postgres') return fail('--store is sqlite or postgres');
  const postgresUrl = option(args, 'postgres-url') ?? TEST_DATABASE_URL;
  const openStores = (path: string) => openBenchStores(storeKind, path, postgresUrl);

  const started = performance.now();
  // --fusion, --vector-weight: memory.retrieval.fusion's method and vector weight.
  const vectorWeight = option(args, 'vector-weight');
  const method = option(args, 'fusion');
  const memoryConfig = MemoryConfigSchema.parse({
    retrieval: {
      fusion: {
        ...(vectorWeight === undefined ? {} : { vector: Number(vectorWeight) }),
        ...(method === undefined ? {} : { method }),
      },
    },
  });
  const config = memoryConfig.retrieval;
  const embedder = createUseLiteEmbeddingModel();
  // The model loads on first use; load it outside the ingest figures and report it on its own.
  const loadStart = performance.now();
  await embedder.embed(['warm up']);
  const modelLoadMs = performance.now() - loadStart;

  const byCategory = new Map<number, RecallSums>();
  const overall = emptySums();
  const latencies: Record<Mode, number[]> = {
    hybrid: [],
    text: [],
    vector: [],
    bm25: [],
    cosine: [],
    recall: [],
    recallText: [],
  };
  const recalled = { memories: 0, none: 0, tokens: 0 };
  const perConversation: string[][] = [];
  let ingestMs = 0;
  let embedMs = 0;
  let turnCount = 0;
  let vectorIndex = '';
  const dir = mkdtempSync(join(tmpdir(), 'agentd-memory-locomo-'));
  try {
    for (const conversation of conversations) {
      const stores = await openStores(join(dir, `${conversation.name}.db`));
      // The recall path's own copy: recall counts an access, which the other modes must not see.
      const recallStores = await openStores(join(dir, `${conversation.name}-recall.db`));
      const service = createMemoryService({
        store: recallStores.memories,
        procedures: recallStores.procedures,
        config: memoryConfig,
        embedder: () => embedder,
        logger: silentLogger,
        pii: 'keep',
      });
      // The recall path without waiting for the query's vector (text search alone), on a third copy.
      const textStores = openSqliteStores({ path: join(dir, `${conversation.name}-recall-text.db`) });
      const textService = createMemoryService({
        store: textStores.memories,
        procedures: textStores.procedures,
        config: memoryConfig,
        embedder: () => undefined,
        logger: silentLogger,
        pii: 'keep',
      });
      vectorIndex = stores.memories.vectorIndex;
      const tenant = `locomo-${conversation.name}`;
      try {
        process.stderr.write(
          `${conversation.name}: ingesting ${conversation.turns.length} turns, then ${conversation.questions.length} questions × ${MODES.length} modes\n`,
        );
        const diaIds = new Map<string, string>();
        const ingestStart = performance.now();
        let conversationEmbedMs = 0;
        for (let i = 0; i < conversation.turns.length; i += EMBED_BATCH) {
          const batch = conversation.turns.slice(i, i + EMBED_BATCH);
          const embedStart = performance.now();
          const vectors = await embedder.embed(batch.map((turn) => turn.content));
          conversationEmbedMs += performance.now() - embedStart;
          for (const [j, turn] of batch.entries()) {
            const id = `${conversation.name}/${turn.diaId}`;
            diaIds.set(id, turn.diaId);
            const record = memory(id, tenant, turn, vectors[j] ?? null, embedder.id);
            await stores.memories.add(record);
            await recallStores.memories.add(record);
            await textStores.memories.add(record);
          }
        }
        const conversationIngestMs = performance.now() - ingestStart;
        ingestMs += conversationIngestMs;
        embedMs += conversationEmbedMs;
        turnCount += conversation.turns.length;

        const now = Math.max(...conversation.turns.map((turn) => turn.at)) + DAY_MS;
        /** The ids of the top LIMIT memories for a question in one mode, best first. */
        const ask = async (mode: Mode, text: string): Promise<string[]> => {
          const filter = { tenant };
          if (mode === 'bm25') {
            // The query full-text search gets in every mode: the question's content words.
            const query = { text: textQuery(text), filter, limit: LIMIT };
            return (await stores.memories.searchText(query)).map((hit) => hit.id);
          }
          if (mode === 'recall') {
            const { block, memories } = await service.recall({ tenant, text, now });
            recalled.memories += memories.length;
            recalled.tokens += Math.ceil(block.length / 4);
            if (memories.length === 0) recalled.none += 1;
            return memories.map((hit) => hit.memory.id);
          }
          if (mode === 'recallText') {
            const { memories } = await textService.recall({ tenant, text, now });
            return memories.map((hit) => hit.memory.id);
          }
          if (mode === 'cosine') {
            const [vector] = await embedder.embed([text]);
            if (!vector) return [];
            return (await stores.memories.searchVector({ vector, filter, limit: LIMIT })).map(
              (hit) => hit.id,
            );
          }
          const hits = await searchMemories(
            { store: stores.memories, embedder, config, now },
            { text, filter, limit: LIMIT, mode },
          );
          return hits.map((hit) => hit.memory.id);
        };
        const local = emptySums();
        const queryStart = performance.now();
        for (const [index, question] of conversation.questions.entries()) {
          const sums = byCategory.get(question.category) ?? emptySums();
          byCategory.set(question.category, sums);
          sums.questions += 1;
          overall.questions += 1;
          local.questions += 1;
          // Rotate the order of the modes so that a slow spell of the machine is not always
          // charged to the same one.
          for (let m = 0; m < MODES.length; m++) {
            const mode = MODES[(index + m) % MODES.length] as Mode;
            const t0 = performance.now();
            const ids = await ask(mode, question.text);
            latencies[mode].push(performance.now() - t0);
            const ranked = ids.map((id) => diaIds.get(id));
            for (const k of KS) {
              const top = new Set(ranked.slice(0, k));
              const found = question.evidence.filter((id) => top.has(id)).length;
              const recall = found / question.evidence.length;
              sums.recall[mode][k] += recall;
              overall.recall[mode][k] += recall;
              local.recall[mode][k] += recall;
            }
          }
        }
        process.stderr.write(
          `${conversation.name}: ingest ${seconds(conversationIngestMs)} (embedding ${seconds(conversationEmbedMs)}), queries ${seconds(performance.now() - queryStart)}; R@10 ${MODES.map((mode) => `${mode} ${percent(local.recall[mode][10] / local.questions)}`).join(', ')}\n`,
        );
        perConversation.push([
          conversation.name,
          String(conversation.turns.length),
          String(local.questions),
          ...MODES.map((mode) => percent(local.recall[mode][10] / local.questions)),
        ]);
      } finally {
        await service.close();
        await stores.close();
        await recallStores.close();
        await textService.close();
        await textStores.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const totalMs = performance.now() - started;

  const questionCount = overall.questions;
  const skipped = conversations.reduce((total, c) => total + c.skipped, 0);
  process.stdout.write(
    `memory-locomo: ${conversations.length} LoCoMo conversation(s) (${selected.join(', ')}), ${turnCount} turns, ${questionCount} questions with evidence; store: ${storeKind}; vector index: ${vectorIndex}; embedder: ${embedder.id}\nmachine: ${machineLine()}\n\n`,
  );

  const recallHeaders = [
    'category',
    'questions',
    ...MODES.flatMap((mode) => KS.map((k) => `${mode} R@${k}`)),
  ];
  const recallRow = (label: string, sums: RecallSums) => [
    label,
    String(sums.questions),
    ...MODES.flatMap((mode) => KS.map((k) => percent(sums.recall[mode][k] / sums.questions))),
  ];
  printTable(recallHeaders, [
    ...[...byCategory.keys()]
      .sort((a, b) => a - b)
      .map((category) =>
        recallRow(
          CATEGORIES.get(category) ?? `${category} (unlabelled)`,
          byCategory.get(category) as RecallSums,
        ),
      ),
    recallRow('overall', overall),
  ]);

  printTable(
    ['mode', 'queries', 'p50', 'p95', 'mean'],
    MODES.map((mode) => [
      MODE_LABELS[mode],
      String(latencies[mode].length),
      formatMs(percentile(latencies[mode], 50)),
      formatMs(percentile(latencies[mode], 95)),
      formatMs(latencies[mode].reduce((a, b) => a + b, 0) / latencies[mode].length),
    ]),
  );

  printTable(
    ['ingest', 'total', 'per turn'],
    [
      [`${turnCount} turns, embedding + store writes`, seconds(ingestMs), formatMs(ingestMs / turnCount)],
      [`embedding alone (batches of ${EMBED_BATCH})`, seconds(embedMs), formatMs(embedMs / turnCount)],
      ['store writes alone', seconds(ingestMs - embedMs), formatMs((ingestMs - embedMs) / turnCount)],
      ['loading the embedding model (once, not in the above)', formatMs(modelLoadMs), '—'],
    ],
  );

  printTable(['conversation', 'turns', 'questions', ...MODES.map((mode) => `${mode} R@10`)], perConversation);

  const recallConfig = memoryConfig.recall;
  printTable(
    [
      'runtime recall (at most ' + `${recallConfig.limit} memories, ${recallConfig.maxTokens} tokens)`,
      'value',
    ],
    [
      ['memories recalled per question, mean', (recalled.memories / questionCount).toFixed(2)],
      ['questions with nothing recalled', percent(recalled.none / questionCount)],
      [
        'recalled tokens per question, mean (4 characters a token)',
        (recalled.tokens / questionCount).toFixed(0),
      ],
    ],
  );

  const notes = conversations.flatMap((c) => c.evidenceNotes.map((note) => `${c.name}: ${note}`));
  process.stdout.write(
    `skipped: ${skipped} question(s) without evidence (of ${questionCount + skipped})\n` +
      (notes.length > 0 ? `evidence cleaned up:\n${notes.map((note) => `  ${note}\n`).join('')}` : '') +
      `run time: ${seconds(totalMs)}\n`,
  );
}

/** Reads and checks one conversation file; its turns dated by their session. */
function readConversation(path: string, name: string): Conversation {
  const raw = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(path, 'utf8')));
  const turns: Turn[] = [];
  const sessions = Object.keys(raw)
    .map((key) => /^session_(\d+)$/.exec(key)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort((a, b) => Number(a) - Number(b));
  for (const n of sessions) {
    const dateText = raw[`session_${n}_date_time`];
    if (typeof dateText !== 'string') throw new Error(`${path}: session_${n} has no session_${n}_date_time`);
    const at = parseSessionDate(dateText, `${path} session_${n}_date_time`);
    for (const turn of z.array(TurnSchema).parse(raw[`session_${n}`])) {
      const caption = turn.blip_caption ? ` [shares an image: ${turn.blip_caption}]` : '';
      turns.push({ diaId: turn.dia_id, content: `${turn.speaker}: ${turn.text}${caption}`, at });
    }
  }
  const known = new Set(turns.map((turn) => turn.diaId));
  const evidenceNotes: string[] = [];
  const questions: Question[] = [];
  let skipped = 0;
  for (const qa of ConversationSchema.parse(raw).qa) {
    const evidence = cleanEvidence(qa.evidence, known, evidenceNotes);
    if (evidence.length === 0) skipped += 1;
    else questions.push({ text: qa.question, category: qa.category, evidence });
  }
  return { name, turns, questions, evidenceNotes, skipped };
}

/** "1:56 pm on 8 May, 2023" as epoch ms, taken as UTC (the data carries no time zone). */
function parseSessionDate(text: string, where: string): number {
  const match = /^(\d{1,2}):(\d{2})\s*(am|pm) on (\d{1,2}) ([A-Za-z]+),? (\d{4})$/i.exec(text.trim());
  const month = match ? MONTHS.indexOf((match[5] as string).toLowerCase()) : -1;
  if (!match || month < 0) throw new Error(`${where}: cannot read the date '${text}'`);
  const hour = (Number(match[1]) % 12) + ((match[3] as string).toLowerCase() === 'pm' ? 12 : 0);
  return Date.UTC(Number(match[6]), month, Number(match[4]), hour, Number(match[2]));
}

function memory(
  id: string,
  tenant: string,
  turn: Turn,
  embedding: Float32Array | null,
  embeddingModel: string,
): MemoryRecord {
  return {
    id,
    layer: 'episodic',
    tenant,
    team: null,
    agent: null,
    taskId: null,
    content: turn.content,
    embedding,
    embeddingModel: embedding ? embeddingModel : null,
    // Every turn weighs the same: the data says nothing about importance.
    importance: 0.5,
    createdAt: turn.at,
    lastAccessedAt: turn.at,
    accessCount: 0,
    validFrom: turn.at,
    validTo: null,
    supersededBy: null,
    // No source: recall reads an episode's source as what it is about (the dia_id is in id and tags).
    provenance: { taskId: null, step: null, source: null },
    tags: [turn.diaId],
  };
}

function emptySums(): RecallSums {
  const zero = () => ({ 5: 0, 10: 0 });
  return {
    questions: 0,
    recall: {
      hybrid: zero(),
      text: zero(),
      vector: zero(),
      bm25: zero(),
      cosine: zero(),
      recall: zero(),
      recallText: zero(),
    },
  };
}

function percent(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : 'n/a';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Reports a usage problem in one line (not a stack trace) and fails the run. */
function fail(message: string): void {
  process.stderr.write(`memory-locomo: ${message}\n`);
  process.exitCode = 1;
}
