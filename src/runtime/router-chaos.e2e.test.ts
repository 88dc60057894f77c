import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { TaskResult } from '../executor/index.js';
import type { SpanRecord } from '../store/trace-store.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer, FakeReply } from '../testing/fake-openai-server.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

// Three OpenAI-compatible servers serve the same model at three prices. The cheapest has an
// outage (500s), the middle one rate-limits (429 with a short retry-after-ms, or a Retry-After
// too long to wait for), the dearest is slow but healthy. The router must finish every task.
const SLOW_MS = 150;
const HALF_OPEN_MS = 300;

describe('the router under chaos: 500s, 429s with Retry-After, a slow server', () => {
  let dir: string;
  let runtime: Runtime;
  const servers: Record<string, FakeOpenAIServer> = {};
  let outage = true;
  let phase1: TaskResult[] = [];
  let phase2: TaskResult[] = [];
  let circuitsAfterPhase1: { scope: string; id: string; state: string }[] = [];
  let flakyCallsInPhase1 = 0;
  let phase1Ms = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-chaos-'));
    servers['flaky'] = await startFakeOpenAIServer({
      script: (): FakeReply => (outage ? { status: 500, errorMessage: 'outage' } : { text: 'from flaky' }),
    });
    servers['limited'] = await startFakeOpenAIServer({
      script: (_request, index): FakeReply => {
        // Of every five calls: two get a short retry-after-ms (waited for), one a Retry-After of a
        // minute (past maxRetryAfterMs, so the router moves on), two are answered.
        const slot = index % 5;
        const reply: FakeReply =
          slot === 0 || slot === 2
            ? { status: 429, headers: { 'retry-after-ms': '40' }, errorMessage: 'slow down' }
            : slot === 1
              ? { status: 429, headers: { 'retry-after': '60' }, errorMessage: 'come back in a minute' }
              : { text: 'from limited' };
        return reply;
      },
    });
    servers['slow'] = await startFakeOpenAIServer({
      delayMs: SLOW_MS,
      script: () => ({ text: 'from slow' }),
    });

    const lines = ['providers:'];
    const catalog: string[] = [];
    const prices = { flaky: [0.1, 0.4], limited: [0.5, 2], slow: [2, 8] } as const;
    for (const name of ['flaky', 'limited', 'slow'] as const) {
      lines.push(`  ${name}:`, '    type: openai-compatible', `    baseUrl: ${servers[name]?.baseUrl}`);
      catalog.push(
        `    - id: ${name}/chat`,
        `      inputPerMTok: ${prices[name][0]}`,
        `      outputPerMTok: ${prices[name][1]}`,
        '      contextWindow: 32000',
        '      capabilities: {tools: true, json: true}',
      );
    }
    const config = loadConfig({
      env: { AGENTD_HOME: dir },
      files: [
        {
          path: 'agentd.yaml',
          text: [
            ...lines,
            'models:',
            '  default: flaky/chat',
            '  catalog:',
            ...catalog,
            'router:',
            '  unpinned: route',
            '  objective: cheapest',
            '  exploration: {share: 0}',
            '  retry: {maxRetries: 1, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000}',
            `  breaker: {consecutiveFailures: 5, errorRate: 0.5, window: 10, minimumCalls: 5, halfOpenAfterMs: ${HALF_OPEN_MS}}`,
            // Memory off: this test times model calls, and embedding every task's episode and facts
            // (in a worker thread) competes with them for the machine's cores.
            'memory: {enabled: false}',
          ].join('\n'),
        },
      ],
      cwd: dir,
      userHome: dir,
    });
    runtime = await createRuntime({ loadedConfig: config, detectLocalServer: false });

    const runBatch = async (count: number, offset: number) => {
      const results: TaskResult[] = [];
      for (let i = 0; i < count; i += 10) {
        const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
          runtime.tasks.run({ prompt: `task ${offset + i + j}: say hello` }),
        );
        results.push(...(await Promise.all(batch)));
      }
      return results;
    };
    const phase1Start = Date.now();
    phase1 = await runBatch(40, 0);
    phase1Ms = Date.now() - phase1Start;
    circuitsAfterPhase1 = runtime.router.stats().circuits;
    flakyCallsInPhase1 = chatRequests('flaky');
    // The outage ends; after the half-open delay the next call is a probe.
    outage = false;
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_MS + 50));
    phase2 = await runBatch(60, 40);
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    for (const server of Object.values(servers)) await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const chatRequests = (name: string) =>
    servers[name]?.requests.filter((r) => r.path === '/v1/chat/completions').length ?? 0;
  const spansOf = async (tasks: TaskResult[]) =>
    (await Promise.all(tasks.map((t) => runtime.tasks.spans(t.id)))).flat();
  const decisions = (spans: SpanRecord[]) => spans.filter((s) => s.name === 'router.decision');

  it('completes all 100 tasks', () => {
    const all = [...phase1, ...phase2];
    expect(all).toHaveLength(100);
    expect(all.filter((t) => t.status !== 'succeeded').map((t) => t.error)).toEqual([]);
  });

  it('opens the flaky provider’s circuit during the outage and closes it after a successful probe', async () => {
    // Open, or half-open when its delay passed since the last failed probe.
    expect(circuitsAfterPhase1.some((c) => c.id.startsWith('flaky') && c.state !== 'closed')).toBe(true);
    // While open, decisions rule the model out instead of calling it.
    const phase1Decisions = decisions(await spansOf(phase1));
    expect(
      phase1Decisions.some((d) =>
        String(d.attributes['agentd.router.candidates']).includes('"id":"flaky/chat","feasible":false'),
      ),
    ).toBe(true);
    // Calls to flaky in phase 1: the first batch's calls and retries until 5 failures open the
    // circuit (at most 10 tasks × 2 attempts), then one probe per half-open delay. A router
    // without a breaker would send 40 tasks × 2 attempts = 80.
    const probes = Math.ceil(phase1Ms / HALF_OPEN_MS);
    expect(flakyCallsInPhase1).toBeLessThanOrEqual(20 + probes);
    expect(flakyCallsInPhase1).toBeLessThan(80);
    // After the outage flaky's circuits are closed again and phase 2 went to the cheapest provider.
    expect(runtime.router.stats().circuits.filter((c) => c.id.startsWith('flaky'))).toEqual([]);
    expect(phase2.filter((t) => t.output === 'from flaky').length).toBeGreaterThanOrEqual(55);
  });

  it('records every fallback as a router.decision span naming the failed model and the error class', async () => {
    const spans = await spansOf(phase1);
    const fallbacks = decisions(spans).filter(
      (d) => d.attributes['agentd.router.fallback_from'] !== undefined,
    );
    expect(fallbacks.length).toBeGreaterThan(0);
    for (const fallback of fallbacks) {
      expect(['flaky/chat', 'limited/chat']).toContain(fallback.attributes['agentd.router.fallback_from']);
      expect(fallback.attributes['agentd.router.reason']).toMatch(
        /^fallback: \S+ failed \((server 500|rate_limit 429|circuit_open)\)$/,
      );
    }
    // Every task whose answer did not come from flaky in phase 1 either fell back or was routed
    // around the open circuit; each failed attempt is an error chat span.
    const failedChats = spans.filter((s) => s.kind === 'model' && s.status === 'error');
    expect(failedChats.length).toBeGreaterThan(0);
    const froms = new Set(fallbacks.map((f) => f.attributes['agentd.router.fallback_from']));
    expect(froms).toEqual(new Set(['flaky/chat', 'limited/chat']));
    // The rate-limited model was given up on with a rate_limit error (the minute-long Retry-After).
    expect(fallbacks.some((f) => f.attributes['agentd.router.error_class'] === 'rate_limit')).toBe(true);
  });

  it('honours a short retry-after-ms before retrying the rate-limited server', async () => {
    const spans = await spansOf(phase1);
    const waits: number[] = [];
    for (const task of phase1) {
      const chats = spans

        .filter(
          (s) =>
            s.taskId === task.id && s.kind === 'model' && s.attributes['gen_ai.provider.name'] === 'limited',
        )
        .sort((a, b) => a.startTime - b.startTime);
      for (let i = 0; i + 1 < chats.length; i++) {
        const [first, next] = [chats[i], chats[i + 1]];
        if (first?.statusMessage === 'slow down' && next) waits.push(next.startTime - first.endTime);
      }
    }
    expect(waits.length).toBeGreaterThan(0);
    // Node's timers run on a loop clock cached per event-loop turn, so under load a 40 ms timer can
    // fire a few ms early by the wall clock; an immediate retry would show ~1 ms.
    for (const ms of waits) expect(ms, `waits: ${waits.join(', ')}`).toBeGreaterThanOrEqual(30);
    // The minute-long Retry-After was not waited for: those tasks moved on to the slow server.
    expect(
      phase1.some((t) => t.output === 'from slow'),
      phase1.map((t) => t.output).join(', '),
    ).toBe(true);
  });

  it('learns each model’s latency: the slow server’s p95 reflects its delay', () => {
    const stats = runtime.router.stats().stats;
    const slow = stats.find((s) => s.modelId === 'slow/chat' && s.kind === '*');
    expect(slow?.calls).toBeGreaterThan(0);
    expect(slow?.p95Ms).toBeGreaterThanOrEqual(SLOW_MS);
    const flaky = stats.find((s) => s.modelId === 'flaky/chat' && s.kind === '*');
    expect(flaky?.errors).toBeGreaterThanOrEqual(3);
    expect(flaky?.p95Ms).toBeLessThan(SLOW_MS);
  });
});
