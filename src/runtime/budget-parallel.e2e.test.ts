import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { CostRecord } from '../store/ledger-store.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

/** Zones the agents ask the time of in turn: every tool call differs, so no loop guard stops them. */
const ZONES = ['UTC', 'Europe/Paris', 'Asia/Tokyo', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
const AGENTS = 20;
const TOOL_ROUNDS = 10;
const CAP_USD = 0.35;
/** $1 / $10 per million input / output tokens; each call reports 100 + 400 tokens: $0.0041. */
const CALL_USD = (100 * 1 + 400 * 10) / 1_000_000;

/** The share of its cap a parallel team spent before its budget stopped it, and the rows it wrote. */
export interface ParallelSpend {
  status: string;
  errorCode: string | undefined;
  spentUsd: number;
  share: number;
  calls: number;
  rows: CostRecord[];
}

// Twenty agents in parallel, each wanting eleven calls (ten tool rounds, then an answer): three
// times what the cap allows. The team must spend nearly all of its cap before the budget stops it,
// and never more than the cap plus one call.
describe('a parallel team against one cap', () => {
  let dir: string | undefined;
  let server: FakeOpenAIServer | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the team; `outputTokens(index)` is what the provider reports for its index-th call. */
  async function spend(outputTokens: (index: number) => number = () => 400): Promise<ParallelSpend> {
    dir = mkdtempSync(join(tmpdir(), 'agentd-parallel-budget-'));
    const fake = (server = await startFakeOpenAIServer({
      script: (request, index) => {
        const rounds = (request.body?.messages ?? []).filter((m) => m.role === 'tool').length;
        // Usage below what agentd counts for the prompt (a system message, the tool's schema, the
        // task): reservations hold the input they count, and a provider bills about that.
        const usage = { promptTokens: 100, completionTokens: outputTokens(index) };
        if (rounds >= TOOL_ROUNDS) return { text: 'done', usage };
        return {
          toolCalls: [{ name: 'current_time', arguments: { timezone: ZONES[index % ZONES.length] } }],
          usage,
        };
      },
    }));
    const config = loadConfig({
      env: { AGENTD_HOME: dir },
      files: [
        {
          path: 'agentd.yaml',
          text: [
            'providers:',
            '  local:',
            '    type: openai-compatible',
            `    baseUrl: ${fake.baseUrl}`,
            'models:',
            '  default: local/m',
            '  catalog:',
            '    - id: local/m',
            '      inputPerMTok: 1',
            '      outputPerMTok: 10',
            '      capabilities: {tools: true}',
            'agents:',
            '  maxSteps: 30',
            'memory:',
            '  enabled: false',
          ].join('\n'),
        },
      ],
      cwd: dir,
      userHome: dir,
    });
    runtime = await createRuntime({ loadedConfig: config, detectLocalServer: false, maxRetries: 0 });
    const result = await runtime.tasks.run({
      prompt: 'What time is it around the world?',
      team: {
        name: 'crowd',
        topology: 'parallel',
        options: { merge: 'concat' },
        agents: Array.from({ length: AGENTS }, (_, i) => ({ name: `w${i}`, tools: ['current_time'] })),
      },
      budget: { usd: CAP_USD },
    });
    const stores = openSqliteStores({ path: join(dir, 'agentd.db') });
    const rows = await stores.ledger.listByTask(result.id).finally(() => stores.close());
    const spentUsd = rows.reduce((sum, row) => sum + row.costUsd, 0);
    return {
      status: result.status,
      errorCode: result.error?.code,
      spentUsd,
      share: spentUsd / CAP_USD,
      calls: fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length,
      rows,
    };
  }

  it('spends at least 90% of its cap before stopping, and never more than the cap plus one call', async () => {
    const measured = await spend();
    if (process.env['AGENTD_REPORT_SPEND'] === '1') {
      process.stderr.write(
        `parallel team spend: ${JSON.stringify({ ...measured, rows: measured.rows.length })}\n`,
      );
    }
    // The team wants three times its cap: the budget, not the work, ends it.
    expect(measured.status).toBe('failed');
    expect(measured.errorCode).toBe('budget.exceeded');
    expect(measured.share).toBeGreaterThanOrEqual(0.9);
    expect(measured.spentUsd).toBeLessThanOrEqual(CAP_USD + CALL_USD);
    // Every call sent is in the ledger, settled at what it really cost.
    expect(measured.rows).toHaveLength(measured.calls);
    expect(measured.rows.every((row) => row.status === 'settled')).toBe(true);
  });

  it('passes its cap by less than one call when outputs suddenly grow past what it learned', async () => {
    // 400 output tokens for the first 40 calls, then 4,000: reservations learned at ~400 hold a
    // tenth of what the later calls use. What in-flight calls could use beyond their reservation
    // counts as committed, so only one call's shortfall can land past the cap (before: $0.645).
    const measured = await spend((index) => (index < 40 ? 400 : 4000));
    const biggestCallUsd = (100 * 1 + 4000 * 10) / 1_000_000;
    expect(measured.errorCode).toBe('budget.exceeded');
    expect(measured.spentUsd).toBeLessThanOrEqual(CAP_USD + biggestCallUsd);
    expect(measured.share).toBeGreaterThanOrEqual(0.9);
    expect(measured.rows.every((row) => row.status === 'settled')).toBe(true);
  });
});
