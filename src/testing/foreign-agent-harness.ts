import type { AgentGateway, AgentInput, AgentSpec, ForeignAgentSettings } from '../agents/index.js';
import { agentRunner } from '../agents/index.js';
import { createBudget, createCostMeter } from '../budget/index.js';
import type { Budget } from '../budget/index.js';
import { createJournalEngine, createLoopGuard } from '../executor/index.js';
import { createModelRouter, RouterConfigSchema } from '../router/index.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import { createToolRegistry } from '../tools/index.js';
import { createTracer } from '../trace/index.js';
import { createRecordingSpanExporter } from './recording-span-exporter.js';

/** One emitted task event, as a foreign-agent test sees it. */
export interface HarnessEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * Runs agents of any kind through the kind dispatcher with a given gateway (a test fake), the
 * SQLite journal engine in memory and a recording tracer: what a topology's `runAgent` does, minus
 * the task around it.
 */
export function createForeignAgentHarness(options: {
  gateway?: AgentGateway;
  foreign?: Partial<ForeignAgentSettings>;
  workspace?: string;
  budget?: Budget;
}) {
  const stores = openSqliteStores({ path: ':memory:' });
  const router = createModelRouter({
    config: RouterConfigSchema.parse({}),
    candidates: () => [],
    resolve: () => {
      throw new Error('a foreign agent test routes no native call');
    },
    store: stores.router,
  });
  const exporter = createRecordingSpanExporter();
  const tracer = createTracer({ exporters: [exporter] });
  const clock = { now: () => 1_000 };
  const engine = createJournalEngine({ journal: stores.journal, reviews: stores.reviews, clock });
  const events: HarnessEvent[] = [];
  const logged: string[] = [];
  const workspace = options.workspace ?? '/nonexistent';

  function run(agent: AgentSpec, input: AgentInput, signal = new AbortController().signal) {
    return engine.run({ taskId: 'task_1', signal }, async (durable) => {
      const root = tracer.startSpan('task', { kind: 'task', taskId: 'task_1' });
      try {
        return await agentRunner.run(agent, input, {
          durable,
          workspace,
          ensureWorkspace: () => Promise.resolve(),
          tracer,
          parentSpan: root,
          tools: createToolRegistry([]),
          clock,
          router,
          routing: () => ({ strategy: 'single', cascadeModels: 1 }),
          costMeter: createCostMeter({ taskId: 'task_1', ledger: stores.ledger, clock }),
          emit: (type, data) => void events.push({ type, data: data as unknown as Record<string, unknown> }),
          budget: options.budget ?? createBudget({ name: 'task', limits: {} }),
          guard: createLoopGuard(),
          defaultMaxSteps: 8,
          defaultMaxOutputTokens: 1000,
          modelTimeoutMs: 60_000,
          firstTokenTimeoutMs: 60_000,
          stallTimeoutMs: 60_000,
          gateway: options.gateway,
          foreign: {
            projectDir: process.cwd(),
            allowedCommands: [],
            env: {},
            baseEnv: {},
            logger: {
              debug: () => undefined,
              info: (message) => void logged.push(message),
              warn: (message) => void logged.push(message),
              error: (message) => void logged.push(message),
            },
            ...options.foreign,
          },
        });
      } finally {
        root.end();
      }
    });
  }

  return {
    run,
    events,
    logged,
    spans: async () => {
      await tracer.flush();
      return exporter.spans;
    },
    close: () => stores.close(),
  };
}
