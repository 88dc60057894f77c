import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { TaskResult } from '../executor/index.js';
import type { SpanRecord } from '../store/trace-store.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type {
  FakeOpenAIServer,
  FakeReply,
  FakeScript,
  RecordedRequest,
} from '../testing/fake-openai-server.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

// Three OpenAI-compatible servers serve the same model at three prices. The cheapest has an
// outage (500s), the middle one rate-limits (429 with a short retry-after-ms, or a Retry-After
// too long to wait for), the dearest is slow but healthy. The router must finish every task.
// (provider-failures.e2e.test.ts takes each failure mode on its own.)
//
// Time is the test's: Date is faked (timers are not), so the clock the router measures latency on
// and its circuit breakers count their half-open delay on moves only when the test moves it. The slow
// server takes SLOW_MS of that clock to answer; nothing else advances it but the end of the outage,
// which lets HALF_OPEN_MS pass at once.
const SLOW_MS = 150;
const HALF_OPEN_MS = 60_000;

/** The task a request is for: the `task N` its prompt starts with. */
function taskOf(request: RecordedRequest): string {
  const user = request.body?.messages?.find((m) => m.role === 'user')?.content;
  const text = typeof user === 'string' ? user : (user ?? []).map((part) => part.text ?? '').join('');
  return /task \d+/.exec(text)?.[0] ?? '?';
}

describe('the router under chaos: 500s, 429s with Retry-After, a slow server', () => {
  let dir: string;
  let runtime: Runtime;
  const servers: Record<string, FakeOpenAIServer> = {};
  let outage = true;
  let phase1: TaskResult[] = [];
  let phase2: TaskResult[] = [];
  let circuitsAfterPhase1: { scope: string; id: string; state: string }[] = [];
  let flakyCallsInPhase1 = 0;
  let phase1ClockMs = 0;
  // Every chat request to any server, in the order they arrived, with the reply it got.
  const calls: { server: string; task: string; reply: FakeReply }[] = [];
  const logged =
    (server: string, decide: (index: number) => FakeReply): FakeScript =>
    (request, index) => {
      const reply = decide(index);
      calls.push({ server, task: taskOf(request), reply });
      return reply;
    };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    dir = mkdtempSync(join(tmpdir(), 'agentd-chaos-'));
    servers['flaky'] = await startFakeOpenAIServer({
      script: logged('flaky', () =>
        outage ? { status: 500, errorMessage: 'outage' } : { text: 'from flaky' },
      ),
    });
    servers['limited'] = await startFakeOpenAIServer({
      script: logged('limited', (index) => {
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
      }),
    });
    servers['slow'] = await startFakeOpenAIServer({
      script: logged('slow', () => {
        vi.setSystemTime(Date.now() + SLOW_MS);
        return { text: 'from slow' };
      }),
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
            // Memory off: not what this is about, and embedding every task's episode and facts would
            // only make the run longer.
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
    phase1ClockMs = Date.now() - phase1Start;
    circuitsAfterPhase1 = runtime.router.stats().circuits;
    flakyCallsInPhase1 = chatRequests('flaky');
    // The outage ends and the half-open delay passes: the next call to flaky is a probe. It runs
    // alone, so that no other task is routed around the probing circuit meanwhile.
    outage = false;
    vi.setSystemTime(Date.now() + HALF_OPEN_MS);
    phase2 = [await runtime.tasks.run({ prompt: 'task 40: say hello' }), ...(await runBatch(59, 41))];
  }, 60_000);

  afterAll(async () => {
    vi.useRealTimers();
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
    // Open: the half-open delay is longer than all the time phase 1 took on the clock.
    expect(phase1ClockMs).toBeLessThan(HALF_OPEN_MS);
    expect(circuitsAfterPhase1.some((c) => c.id.startsWith('flaky') && c.state !== 'closed')).toBe(true);
    // While open, decisions rule the model out instead of calling it.
    const phase1Decisions = decisions(await spansOf(phase1));
    expect(
      phase1Decisions.some((d) =>
        String(d.attributes['agentd.router.candidates']).includes('"id":"flaky/chat","feasible":false'),
      ),
    ).toBe(true);
    // Calls to flaky in phase 1: the first batch's calls and retries until 5 failures open the
    // circuit (at most 10 tasks × 2 attempts), and none once it is open. A router without a
    // breaker would send 40 tasks × 2 attempts = 80.
    expect(flakyCallsInPhase1).toBeGreaterThanOrEqual(5);
    expect(flakyCallsInPhase1).toBeLessThanOrEqual(20);
    // Nor after it, in phase 1: the only other tasks flaky ever saw are phase 2's, each once.
    const firstBatch = Array.from({ length: 10 }, (_, i) => `task ${i}`);
    const laterCalls = calls.filter((c) => c.server === 'flaky' && !firstBatch.includes(c.task));
    expect(laterCalls.map((c) => c.task).sort()).toEqual(
      Array.from({ length: 60 }, (_, i) => `task ${40 + i}`).sort(),
    );
    // After the outage the probe closed flaky's circuits, and phase 2 went to the cheapest provider.
    expect(runtime.router.stats().circuits.filter((c) => c.id.startsWith('flaky'))).toEqual([]);
    expect(phase2.map((t) => t.output)).toEqual(phase2.map(() => 'from flaky'));
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

  it('falls back from a 429 at once while another server can answer, short Retry-After or not', () => {
    const callsOf = (task: string) => calls.filter((c) => c.task === task);
    // A 429 is not waited out while the slow server could take the call now (ADR 0040): the task's
    // next call goes there. How long a retry waits when nothing else can answer is checked in
    // model-health.test.ts, on a fake clock.
    const refusals = calls.filter((c) => c.reply.status === 429);
    expect(refusals.some((c) => c.reply.errorMessage === 'slow down')).toBe(true);
    expect(refusals.some((c) => c.reply.errorMessage === 'come back in a minute')).toBe(true);
    for (const refused of refusals) {
      const own = callsOf(refused.task);
      expect(own[own.indexOf(refused) + 1]?.server, refused.task).toBe('slow');
    }
    expect(
      phase1.some((t) => t.output === 'from slow'),
      phase1.map((t) => t.output).join(', '),
    ).toBe(true);
  });

  it('learns each model’s latency on its clock: the slow server’s p95 reflects its delay', () => {
    const stats = runtime.router.stats().stats;
    const slow = stats.find((s) => s.modelId === 'slow/chat' && s.kind === '*');
    expect(slow?.calls).toBeGreaterThan(0);
    expect(slow?.p95Ms).toBeGreaterThanOrEqual(SLOW_MS);
    const flaky = stats.find((s) => s.modelId === 'flaky/chat' && s.kind === '*');
    expect(flaky?.errors).toBeGreaterThanOrEqual(3);
    expect(flaky?.p95Ms).toBeLessThan(SLOW_MS);
  });
});
