// The contract every topology keeps, checked against each one in the registry through the real runtime
// (durable executor, budgets, SQLite stores, tracer) with the scripted team model, on any durable
// engine. The crash-and-resume case, which needs a child process, is in topology-crash-resume.e2e.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeCall, FakeLanguageModelOptions } from '../../testing/fake-language-model.js';
import {
  teamModelRequestOfCall,
  teamModelSignature,
  teamModelTurn,
} from '../../testing/team-model-answer.js';
import { createTestRuntime } from '../../testing/test-runtime.js';
import type { TestRuntime } from '../../testing/test-runtime.js';
import { ATTR } from '../../trace/index.js';
import { topologies } from '../registry.js';
import { topologyFixtures } from './topology-fixtures.js';
import type { TopologyFixture } from './topology-fixtures.js';

const PROMPT = 'Plan a weekend trip to Lisbon for TOPICMARKER';
const NAMES = [...topologies.keys()];

function fixtureFor(name: string): TopologyFixture {
  const fixture = topologyFixtures[name];
  if (!fixture) throw new Error(`topology '${name}' has no conformance fixture in topology-fixtures.ts`);
  return fixture;
}

function signatureOf(call: FakeCall): string {
  return teamModelSignature(teamModelRequestOfCall(call));
}

/** A promise with its resolver, to wait for an event without a timer. */
function signal(): { promise: Promise<void>; fire(): void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

/** Lets pending callbacks run (a model call started after the run ended would show up here). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The topology conformance suite on one engine: `engineConfig` gives the config keys that select it
 * (none for the default journal engine).
 */
export function topologyConformanceSuite(
  label: string,
  engineConfig: () => Record<string, unknown> = () => ({}),
): void {
  const started: TestRuntime[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.dispose()));
  });

  async function start(script: FakeLanguageModelOptions['script'] = teamModelTurn): Promise<TestRuntime> {
    // Memory off: these runs compare prompts across tasks, and recall would (rightly) carry one
    // task's episode into the next; memory has its own end-to-end tests.
    const test = await createTestRuntime({
      script,
      config: { memory: { enabled: false }, ...engineConfig() },
    });
    started.push(test);
    return test;
  }

  describe(`topology conformance (${label})`, () => {
    it('has a fixture for every registered topology and none for unknown ones', () => {
      expect(Object.keys(topologyFixtures).sort()).toEqual([...NAMES].sort());
      for (const [name, fixture] of Object.entries(topologyFixtures)) {
        expect(fixture.team.topology).toBe(name);
        expect(fixture.invalid.topology).toBe(name);
        expect(fixture.checkpoint).toBeLessThan(fixture.calls);
        const roles = fixture.team.agents.map((a) => a.role);
        expect(new Set(roles).size, `${name}: agents need distinct roles`).toBe(roles.length);
      }
    });

    describe.each(NAMES)('%s', (name) => {
      it(`${name}: refuses a team of the wrong shape before creating a task or calling a model`, async () => {
        const { invalid } = fixtureFor(name);
        const { runtime, model } = await start();
        await expect(runtime.tasks.submit({ prompt: PROMPT, team: invalid })).rejects.toMatchObject({
          code: 'topology.invalid_team',
        });
        expect(await runtime.tasks.list()).toEqual([]);
        expect(model.calls).toHaveLength(0);
      });

      it(`${name}: gives the same result and the same model calls when run twice`, async () => {
        const fixture = fixtureFor(name);
        const { runtime, model } = await start();
        const first = await runtime.tasks.run({ prompt: PROMPT, team: fixture.team });
        const firstCalls = model.calls.map(signatureOf);
        const second = await runtime.tasks.run({ prompt: PROMPT, team: fixture.team });
        const secondCalls = model.calls.slice(firstCalls.length).map(signatureOf);

        expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
        expect(first.modelCalls).toBe(fixture.calls);
        expect(first.output).toContain('TOPICMARKER');
        if (fixture.details) expect(first.details).toMatchObject(fixture.details);
        expect(second).toMatchObject({
          status: 'succeeded',
          output: first.output,
          modelCalls: first.modelCalls,
        });
        expect(second.details).toEqual(first.details);
        // Concurrent branches may call in any order; the set of calls must not change.
        expect([...secondCalls].sort()).toEqual([...firstCalls].sort());
        expect(new Set(firstCalls).size, 'every call of a run has its own signature').toBe(fixture.calls);
      });

      it(`${name}: cancels mid-run, aborting the blocked call, and makes no further model calls`, async () => {
        const fixture = fixtureFor(name);
        const blocked: FakeCall[] = [];
        const reached = signal();
        const { runtime, model } = await start((call) => {
          if (call.index < fixture.checkpoint) return teamModelTurn(call);
          blocked.push(call);
          reached.fire();
          return { waitFor: 'forever' };
        });
        const task = await runtime.tasks.submit({ prompt: PROMPT, team: fixture.team });
        await reached.promise;

        const cancelled = await runtime.tasks.cancel(task.id);
        const callsAtCancel = model.calls.length;
        await settle();

        expect(cancelled.status).toBe('cancelled');
        expect(cancelled.error?.code).toBe('task.cancelled');
        expect(blocked.length).toBeGreaterThan(0);
        for (const call of blocked) expect(call.options.abortSignal?.aborted).toBe(true);
        expect(model.calls.length).toBe(callsAtCancel);
        expect(callsAtCancel).toBe(fixture.checkpoint + blocked.length);
        // The agents that finished before the cancellation are reported.
        expect(cancelled.partial?.length ?? 0).toBe(fixture.checkpoint);
        expect((await runtime.tasks.get(task.id)).status).toBe('cancelled');
      });

      it(`${name}: stops at the budget mid-run and reports cost and partial outputs`, async () => {
        const fixture = fixtureFor(name);
        const { runtime, model } = await start();
        // A call limit at the checkpoint; with no call allowed before the first one, a dollar cap too
        // small for any call (the limit must be positive).
        const budget = fixture.checkpoint > 0 ? { modelCalls: fixture.checkpoint } : { usd: 0.000001 };
        const result = await runtime.tasks.run({ prompt: PROMPT, team: fixture.team, budget });

        expect(result.status).toBe('failed');
        expect(result.error?.code).toBe('budget.exceeded');
        // Never past the limit; and since the checkpoint ends a phase, exactly at it.
        expect(model.calls.length).toBe(fixture.checkpoint);
        expect(result.modelCalls).toBe(model.calls.length);
        if (fixture.checkpoint === 0) {
          expect(result.cost.usd).toBe(0);
          expect(result.partial).toBeUndefined();
          return;
        }
        expect(result.cost.usd).toBeGreaterThan(0);
        expect(result.cost.inputTokens).toBeGreaterThan(0);
        const agents = new Set(fixture.team.agents.map((a) => a.name));
        expect(result.partial).toHaveLength(fixture.checkpoint);
        for (const entry of result.partial ?? []) {
          expect(agents.has(entry.agent), `${entry.agent} is an agent of the team`).toBe(true);
          expect(entry.output).not.toBe('');
        }
      });

      it(`${name}: keeps concurrent tasks apart: every call carries its own task and no other`, async () => {
        const fixture = fixtureFor(name);
        const { runtime, model } = await start();
        const prompts = ['Write a poem about MARKERAMBER', 'Write a poem about MARKERCOBALT'];
        const results = await Promise.all(
          prompts.map((prompt) => runtime.tasks.run({ prompt, team: fixture.team })),
        );

        for (const [index, result] of results.entries()) {
          expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
          expect(result.output).toContain(index === 0 ? 'MARKERAMBER' : 'MARKERCOBALT');
          expect(result.output).not.toContain(index === 0 ? 'MARKERCOBALT' : 'MARKERAMBER');
        }
        const perTask = [0, 0];
        for (const call of model.calls) {
          const amber = call.promptText.includes('MARKERAMBER');
          const cobalt = call.promptText.includes('MARKERCOBALT');
          expect(amber !== cobalt, `one task's marker only in: ${call.promptText}`).toBe(true);
          const own = amber ? 0 : 1;
          // Every agent input contains the original task, whole.
          expect(teamModelRequestOfCall(call).prompt).toContain(prompts[own]);
          perTask[own] = (perTask[own] ?? 0) + 1;
        }
        expect(perTask).toEqual([fixture.calls, fixture.calls]);
      });

      it(`${name}: traces every model call as a chat span under its agent, team and task`, async () => {
        const fixture = fixtureFor(name);
        const { runtime, model } = await start();
        const result = await runtime.tasks.run({ prompt: PROMPT, team: fixture.team });
        expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
        const spans = await runtime.tasks.spans(result.id);
        const byId = new Map(spans.map((s) => [s.spanId, s]));

        for (const span of spans) {
          expect(span.taskId).toBe(result.id);
          expect(span.attributes[ATTR.taskId]).toBe(result.id);
        }
        const roots = spans.filter((s) => s.parentSpanId === null);
        expect(roots.map((s) => s.kind)).toEqual(['task']);
        const chats = spans.filter((s) => s.kind === 'model');
        expect(chats.length).toBe(result.modelCalls);
        expect(chats.length).toBe(model.calls.length);
        expect(chats.length).toBe(fixture.calls);

        const agents = new Set(fixture.team.agents.map((a) => a.name));
        for (const chat of chats) {
          expect(chat.name.startsWith('chat ')).toBe(true);
          const agentSpan = byId.get(chat.parentSpanId ?? '');
          expect(agentSpan?.kind).toBe('agent');
          expect(agentSpan?.name).toBe(`invoke_agent ${String(chat.attributes[ATTR.agentName])}`);
          expect(agents.has(String(chat.attributes[ATTR.agentName]))).toBe(true);
          // Up from the agent: one or more team spans, then the task span.
          const chain: string[] = [];
          for (let at = byId.get(agentSpan?.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) {
            chain.push(at.kind);
          }
          expect(chain.at(-1)).toBe('task');
          expect(chain.slice(0, -1).length).toBeGreaterThan(0);
          expect(chain.slice(0, -1).every((kind) => kind === 'team')).toBe(true);
        }
        const teamSpans = spans.filter((s) => s.kind === 'team');
        expect(teamSpans.map((s) => s.name)).toContain(`invoke_team ${fixture.team.name}`);
        // Every agent span covers at least one model call.
        for (const agentSpan of spans.filter((s) => s.kind === 'agent')) {
          expect(chats.some((c) => c.parentSpanId === agentSpan.spanId)).toBe(true);
        }
      });
    });
  });
}
