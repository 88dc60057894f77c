import { describe, expect, it } from 'vitest';
import { TeamSpecSchema } from '../agents/index.js';
import type { TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { until } from '../testing/until.js';
import { dagTopology } from './dag.js';

const TASK = 'Write a report on tides.';

function team(edges: Record<string, string[] | undefined>, options: Record<string, unknown> = {}): TeamSpec {
  return TeamSpecSchema.parse({
    topology: 'dag',
    agents: Object.entries(edges).map(([name, dependsOn]) => (dependsOn ? { name, dependsOn } : { name })),
    options,
  });
}

async function run(spec: TeamSpec, answer: (agent: string, prompt: string) => string | Promise<string>) {
  const options = dagTopology.options.parse(spec.options);
  dagTopology.validate(spec, options);
  const ctx = createFakeTopologyContext({ prompt: TASK, answer });
  return { result: await dagTopology.run(spec, options, ctx), ctx };
}

function validationError(spec: TeamSpec): string {
  try {
    dagTopology.validate(spec, dagTopology.options.parse(spec.options));
  } catch (error) {
    expect(error).toBeInstanceOf(AgentdError);
    expect((error as AgentdError).code).toBe('topology.invalid_team');
    return (error as AgentdError).message;
  }
  throw new Error('expected validate to throw');
}

/** A flag: `opened()` waits (with until, so it fails instead of hanging) until `open` is called. */
function gate(what: string): { opened: () => Promise<true>; open: () => void } {
  let isOpen = false;
  return {
    opened: () => until(() => isOpen, { message: what }),
    open: () => {
      isOpen = true;
    },
  };
}

const diamond = { a: undefined, b: ['a'], c: ['a'], d: ['b', 'c'] };

describe('dag topology', () => {
  it('reads the dependsOn agent field', () => {
    expect(dagTopology.agentFields).toEqual(['dependsOn']);
  });

  it('rejects a dependency on an unknown agent', () => {
    expect(validationError(team({ a: undefined, b: ['x'] }))).toMatch(
      /agent 'b' depends on 'x', which is not an agent of the team \(agents: a, b\)/,
    );
  });

  it('rejects an agent that depends on itself', () => {
    expect(validationError(team({ a: ['a'], b: ['a'] }))).toMatch(/agent 'a' depends on itself/);
  });

  it('rejects a dependency listed twice', () => {
    expect(validationError(team({ a: undefined, b: ['a', 'a'] }))).toMatch(/agent 'b' lists 'a' twice/);
  });

  it('names the cycle', () => {
    expect(validationError(team({ a: ['b'], b: ['a'], c: ['a'] }))).toMatch(/dependency cycle: a → b → a/);
    expect(validationError(team({ start: undefined, a: ['start', 'c'], b: ['a'], c: ['b'] }))).toMatch(
      /dependency cycle: a → c → b → a/,
    );
  });

  it('needs exactly one final agent unless options.output names the result', () => {
    expect(validationError(team({ a: undefined, b: ['a'], c: ['a'] }))).toMatch(
      /has 2 agents no other agent depends on \(b, c\); set options\.output/,
    );
    expect(validationError(team({ a: undefined, b: ['a'] }, { output: 'z' }))).toMatch(
      /options\.output names 'z', which is not an agent/,
    );
    expect(() =>
      dagTopology.validate(team({ a: undefined, b: ['a'], c: ['a'] }, { output: 'c' }), { output: 'c' }),
    ).not.toThrow();
  });

  it('gives each agent the task and the outputs of its direct dependencies only', async () => {
    const { result, ctx } = await run(team(diamond), (agent) => `work of ${agent}`);
    const promptOf = (agent: string) => ctx.calls.find((c) => c.agent === agent)?.prompt ?? '';
    expect(promptOf('a')).toBe(TASK);
    expect(promptOf('b')).toContain(TASK);
    expect(promptOf('b')).toContain('--- Output of a ---\nwork of a');
    expect(promptOf('d')).toContain(TASK);
    expect(promptOf('d')).toContain('--- Output of b ---\nwork of b');
    expect(promptOf('d')).toContain('--- Output of c ---\nwork of c');
    expect(promptOf('d')).not.toContain('work of a');
    expect(result.output).toBe('work of d');
    expect(ctx.calls.map((c) => c.agent).indexOf('d')).toBe(3);
  });

  it('runs each node in its own named scope', async () => {
    const { ctx } = await run(team(diamond), (agent) => agent);
    expect(Object.fromEntries(ctx.calls.map((c) => [c.agent, c.scope]))).toEqual({
      a: 'dag:a/',
      b: 'dag:b/',
      c: 'dag:c/',
      d: 'dag:d/',
    });
  });

  it('starts a node as soon as its own dependencies finish, not level by level', async () => {
    // slow (no dependencies) only finishes once after (which depends on fast) has started.
    const afterStarted = gate('after to start');
    const spec = team({ slow: undefined, fast: undefined, after: ['fast'], end: ['slow', 'after'] });
    const { result } = await run(spec, async (agent) => {
      if (agent === 'after') afterStarted.open();
      if (agent === 'slow') await afterStarted.opened();
      return agent;
    });
    expect(result.output).toBe('end');
  });

  it('runs independent nodes concurrently', async () => {
    const bothStarted = gate('b and c to start together');
    let started = 0;
    const { result } = await run(team(diamond), async (agent) => {
      if (agent === 'b' || agent === 'c') {
        if (++started === 2) bothStarted.open();
        await bothStarted.opened();
      }
      return agent;
    });
    expect(result.output).toBe('d');
  });

  it('reports the nodes and the output node, and options.output picks the result', async () => {
    const { result } = await run(
      team({ a: undefined, b: ['a'], c: ['a'] }, { output: 'b' }),
      (agent) => `work of ${agent}`,
    );
    expect(result.output).toBe('work of b');
    expect(result.details).toEqual({
      nodes: [
        { agent: 'a', dependsOn: [] },
        { agent: 'b', dependsOn: ['a'] },
        { agent: 'c', dependsOn: ['a'] },
      ],
      output: 'b',
    });
  });

  it('fails the run naming the failed node; its dependants do not run, other nodes finish', async () => {
    const spec = team({ a: undefined, b: ['a'], c: ['a'], d: ['b', 'c'] });
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent) => {
        if (agent === 'b') throw new AgentdError({ code: 'model.unreachable', message: 'model down' });
        return agent;
      },
    });
    const error = await dagTopology.run(spec, dagTopology.options.parse({}), ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentdError);
    expect((error as AgentdError).code).toBe('topology.node_failed');
    expect((error as AgentdError).category).toBe('upstream');
    expect((error as AgentdError).message).toMatch(/node 'b' failed: model down/);
    expect((error as AgentdError).message).toMatch(/not run because a dependency failed: d/);
    expect((error as AgentdError).details).toMatchObject({ node: 'b', blocked: ['d'] });
    expect(ctx.calls.map((c) => c.agent).sort()).toEqual(['a', 'b', 'c']);
  });

  it('rethrows a task-ending error unchanged', async () => {
    const attempt = run(team(diamond), (agent) => {
      if (agent === 'c') throw new AgentdError({ code: 'budget.exceeded', message: 'out of money' });
      return agent;
    });
    await expect(attempt).rejects.toMatchObject({ code: 'budget.exceeded', message: 'out of money' });
  });
});
