import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { TaskEvent } from '../core/events.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { defineTool } from '../tools/index.js';

// Loop protection end to end: a real runtime with the scripted fake model playing a runaway agent.

const runtimes: TestRuntime[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const t of runtimes.splice(0)) await t.dispose();
});

async function testRuntime(options: Parameters<typeof createTestRuntime>[0]): Promise<TestRuntime> {
  const t = await createTestRuntime(options);
  runtimes.push(t);
  return t;
}

async function collect(events: AsyncIterable<TaskEvent>): Promise<TaskEvent[]> {
  const out: TaskEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** A tool that always answers the same thing, whatever it is asked: calls differ only by their arguments. */
function constantLookup() {
  const seen: unknown[] = [];
  const tool = defineTool({
    name: 'lookup',
    description: 'Looks something up.',
    input: z.strictObject({ query: z.string() }),
    async execute(input) {
      seen.push(input);
      return 'nothing found';
    },
  });
  return { tool, seen };
}

const lookupCall = (query: string): FakeTurn => ({ toolCalls: [{ toolName: 'lookup', input: { query } }] });

describe('the trajectory guard', () => {
  it('stops an agent calling the same tool with the same arguments after exactly 3 calls, not at its step cap', async () => {
    const { tool, seen } = constantLookup();
    const t = await testRuntime({ script: [lookupCall('tides')], runtime: { tools: [tool] } });
    const result = await t.runtime.tasks.run({
      prompt: 'find out about tides',
      agent: { name: 'seeker', tools: ['lookup'], maxSteps: 20 },
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('loop.detected');
    expect(result.error?.message).toContain("agent 'seeker' repeated lookup");
    expect(seen).toHaveLength(3);
    expect(result.toolCalls).toBe(3);
    expect(t.model.calls).toHaveLength(3);
  });

  it('does not stop an agent that calls the same tool with changing arguments', async () => {
    const { tool, seen } = constantLookup();
    const t = await testRuntime({
      script: ({ index }) => (index < 6 ? lookupCall(`query ${index}`) : { text: 'nothing anywhere' }),
      runtime: { tools: [tool] },
    });
    const result = await t.runtime.tasks.run({
      prompt: 'find out about tides',
      agent: { name: 'seeker', tools: ['lookup'], maxSteps: 20 },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'nothing anywhere', toolCalls: 6 });
    expect(seen).toHaveLength(6);
  });

  it('honours executor.loopRepeats', async () => {
    const { tool, seen } = constantLookup();
    const t = await testRuntime({
      script: [lookupCall('tides')],
      runtime: { tools: [tool] },
      config: { executor: { loopRepeats: 5 } },
    });
    const result = await t.runtime.tasks.run({
      prompt: 'find out about tides',
      agent: { name: 'seeker', tools: ['lookup'], maxSteps: 20 },
    });
    expect(result.error?.code).toBe('loop.detected');
    expect(seen).toHaveLength(5);
  });
});

describe('the delegation depth limit', () => {
  /** Agents a and b that may delegate to each other, run in sequence (a first). */
  const pingPongTeam = {
    name: 'ping-pong',
    topology: 'sequential' as const,
    options: { handoff: 'last' },
    agents: [
      { name: 'a', tools: [], delegates: ['b'] },
      { name: 'b', tools: [], delegates: ['a'] },
    ],
  };

  /** Every call hands the task to the other agent (the one named in its delegate tool). */
  function alwaysDelegate(call: FakeCall): FakeTurn {
    const tool = call.options.tools?.find((t) => t.name === 'delegate');
    const description = tool && 'description' in tool ? (tool.description ?? '') : '';
    const to = /Available: (\w+)\./.exec(description)?.[1] ?? 'nobody';
    return { toolCalls: [{ toolName: 'delegate', input: { to, task: 'you do it' } }] };
  }

  /** Delegates to the first target offered; once a delegation has answered, answers itself. */
  function delegateOnce(call: FakeCall): FakeTurn {
    if (call.options.prompt.at(-1)?.role === 'tool') return { text: 'relayed' };
    if (call.options.tools?.some((t) => t.name === 'delegate')) return alwaysDelegate(call);
    return { text: 'found it' };
  }

  it('ends a ping-pong between two agents with loop.depth_exceeded at depth 4 (default maxDepth 3)', async () => {
    const t = await testRuntime({ script: alwaysDelegate });
    const result = await t.runtime.tasks.run({ prompt: 'do the thing', team: pingPongTeam });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('loop.depth_exceeded');
    expect(result.error?.message).toContain('delegation depth 4, over the limit of 3 (executor.maxDepth)');
    // a (depth 0) → b (1) → a (2) → b (3): one model call per level, then the fifth level is refused.
    expect(t.model.calls).toHaveLength(4);
    const delegations = t.model.calls.map(
      (call) => (alwaysDelegate(call).toolCalls?.[0]?.input as { to: string }).to,
    );
    expect(delegations).toEqual(['b', 'a', 'b', 'a']);
  });

  it('lets a delegated teammate delegate on to its own teammates below the limit', async () => {
    const t = await testRuntime({ script: delegateOnce });
    const result = await t.runtime.tasks.run({
      prompt: 'do the thing',
      team: {
        name: 'chain',
        topology: 'single',
        options: {},
        agents: [{ name: 'a', tools: [], delegates: ['b'] }],
        subteams: {
          b: {
            name: 'b',
            topology: 'sequential',
            options: { handoff: 'last' },
            agents: [
              { name: 'b1', tools: [], delegates: ['b2'] },
              { name: 'b2', tools: [], delegates: ['b3'] },
              { name: 'b3', tools: [] },
            ],
          },
        },
      },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'relayed' });
    const teams = (await t.runtime.tasks.spans(result.id))
      .filter((s) => s.kind === 'team')
      .map((s) => [s.attributes['agentd.team.name'], s.attributes['agentd.team.depth']]);
    // a → sub-team b (depth 1), where b1 → its teammate b2 (2) → b2's teammate b3 (3).
    expect(teams).toEqual(
      expect.arrayContaining([
        ['b', 1],
        ['b2', 2],
        ['b3', 3],
      ]),
    );
  });

  it('lets a delegated teammate reach the sub-teams of its team', async () => {
    const t = await testRuntime({ script: delegateOnce });
    const result = await t.runtime.tasks.run({
      prompt: 'do the thing',
      team: {
        name: 'team',
        topology: 'sequential',
        options: { handoff: 'last' },
        agents: [
          { name: 'a', tools: [], delegates: ['b'] },
          { name: 'b', tools: [], delegates: ['research'] },
        ],
        subteams: {
          research: { name: 'research', topology: 'single', options: {}, agents: [{ name: 'r', tools: [] }] },
        },
      },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'relayed' });
    const teams = (await t.runtime.tasks.spans(result.id))
      .filter((s) => s.kind === 'team')
      .map((s) => [s.attributes['agentd.team.name'], s.attributes['agentd.team.depth']]);
    // a → its teammate b (depth 1) → the team's sub-team research (2).
    expect(teams).toEqual(
      expect.arrayContaining([
        ['b', 1],
        ['research', 2],
      ]),
    );
  });

  it('honours executor.maxDepth', async () => {
    const t = await testRuntime({ script: alwaysDelegate, config: { executor: { maxDepth: 1 } } });
    const result = await t.runtime.tasks.run({ prompt: 'do the thing', team: pingPongTeam });
    expect(result.error?.code).toBe('loop.depth_exceeded');
    expect(result.error?.message).toContain('delegation depth 2, over the limit of 1');
    expect(t.model.calls).toHaveLength(2);
  });
});

describe('a mesh team that never converges', () => {
  it('stops two agents messaging each other the same content forever at maxRounds', async () => {
    const t = await testRuntime({
      script: ({ promptText }) => {
        const to = promptText.includes('You are a,') ? 'b' : 'a';
        return { text: JSON.stringify({ messages: [{ to, content: 'are you sure?' }] }) };
      },
    });
    const result = await t.runtime.tasks.run({
      prompt: 'agree on an answer',
      team: {
        name: 'chatter',
        topology: 'mesh',
        options: { maxRounds: 3 },
        agents: [
          { name: 'a', tools: [] },
          { name: 'b', tools: [] },
        ],
      },
    });
    expect(result.status).toBe('succeeded');
    expect(result.details).toMatchObject({ rounds: 3, endedBy: 'max-rounds', messages: 6 });
    expect(t.model.calls).toHaveLength(6);
    expect(result.output).toContain('are you sure?');
  });
});

describe('the per-task step limit', () => {
  it('stops a task at executor.maxTaskSteps with loop.step_limit', async () => {
    const { tool, seen } = constantLookup();
    const t = await testRuntime({
      script: ({ index }) => lookupCall(`query ${index}`),
      runtime: { tools: [tool] },
      // Memory off: its recall step would count as one of the five.
      config: { executor: { maxTaskSteps: 5 }, memory: { enabled: false } },
    });
    const result = await t.runtime.tasks.run({
      prompt: 'search everything',
      agent: { name: 'seeker', tools: ['lookup'], maxSteps: 50 },
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('loop.step_limit');
    expect(result.error?.message).toContain('step limit (5 steps)');
    // Steps alternate model, tool, model, tool, model: the sixth (a tool call) is refused.
    expect(t.model.calls).toHaveLength(3);
    expect(seen).toHaveLength(2);
  });
});

describe('the wall-time watchdog', () => {
  it("aborts a hanging delegated child run when the parent task's wall time passes", async () => {
    const t = await testRuntime({
      script: ({ index }) =>
        index === 0
          ? { toolCalls: [{ toolName: 'delegate', input: { to: 'helper', task: 'take forever' } }] }
          : { waitFor: 'forever' },
    });
    // The task's clock and its timers are the test's: the watchdog can be seen not to fire early, then to fire.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const submitted = await t.runtime.tasks.submit({
      prompt: 'get help',
      team: {
        name: 'team',
        topology: 'sequential',
        options: { handoff: 'last' },
        agents: [
          { name: 'lead', tools: [], delegates: ['helper'] },
          { name: 'helper', tools: [] },
        ],
      },
      budget: { wallTimeMs: 300 },
    });
    await until(() => t.model.calls.length === 2, { message: "the helper's model call" });
    await vi.advanceTimersByTimeAsync(299);
    expect(t.model.calls[1]?.options.abortSignal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const result = await t.runtime.tasks.wait(submitted.id);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('budget.exceeded');
    expect(result.error?.message).toContain('(wallTimeMs)');
    expect(result.timings.durationMs).toBe(300);
    expect(t.model.calls).toHaveLength(2);
    // The child's call ran in the delegated run (its prompt is the sub-task) and was aborted.
    expect(t.model.calls[1]?.promptText).toContain('take forever');
    expect(t.model.calls[1]?.options.abortSignal?.aborted).toBe(true);
    const events = await collect(t.runtime.tasks.events(result.id));
    expect(events.at(-1)).toMatchObject({ type: 'task-error', data: { error: { code: 'budget.exceeded' } } });
  });
});
