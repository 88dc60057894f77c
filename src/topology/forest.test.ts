import { describe, expect, it } from 'vitest';
import { TeamSpecSchema } from '../agents/index.js';
import type { TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { until } from '../testing/until.js';
import { forestTopology } from './forest.js';

const TASK = 'Plan a city park.';

function team(parents: Record<string, string | undefined>, options: Record<string, unknown> = {}): TeamSpec {
  return TeamSpecSchema.parse({
    topology: 'forest',
    agents: Object.entries(parents).map(([name, parent]) => (parent ? { name, parent } : { name })),
    options,
  });
}

function context(answer: (agent: string, prompt: string) => string | Promise<string>) {
  return createFakeTopologyContext({ prompt: TASK, answer });
}

async function run(spec: TeamSpec, answer: (agent: string, prompt: string) => string | Promise<string>) {
  const options = forestTopology.options.parse(spec.options);
  forestTopology.validate(spec, options);
  const ctx = context(answer);
  return { result: await forestTopology.run(spec, options, ctx), ctx };
}

function validationError(spec: TeamSpec): string {
  try {
    forestTopology.validate(spec, forestTopology.options.parse(spec.options));
  } catch (error) {
    expect(error).toBeInstanceOf(AgentdError);
    expect((error as AgentdError).code).toBe('topology.invalid_team');
    return (error as AgentdError).message;
  }
  throw new Error('expected validate to throw');
}

const down = (agent: string) => new AgentdError({ code: 'model.unreachable', message: `${agent} is down` });

/** Two trees: lead1 over x and y, lead2 over z; chief merges the leads. */
const twoTrees = { x: 'lead1', y: 'lead1', lead1: undefined, z: 'lead2', lead2: undefined, chief: undefined };

describe('forest topology', () => {
  it('reads the parent agent field', () => {
    expect(forestTopology.agentFields).toEqual(['parent']);
  });

  it('rejects an unknown parent and an agent that is its own parent', () => {
    expect(validationError(team({ a: 'boss', b: undefined }))).toMatch(
      /agent 'a' has parent 'boss', which is not an agent of the team \(agents: a, b\)/,
    );
    expect(validationError(team({ a: 'a', b: undefined }))).toMatch(/agent 'a' is its own parent/);
  });

  it('names a parent cycle', () => {
    expect(validationError(team({ root: undefined, a: 'b', b: 'c', c: 'a' }))).toMatch(
      /parent cycle: a → b → c → a/,
    );
  });

  it('rejects an aggregator that is unknown, has a parent, or has children', () => {
    expect(validationError(team({ a: undefined, b: undefined }, { aggregator: 'chief' }))).toMatch(
      /options\.aggregator names 'chief', which is not an agent/,
    );
    expect(validationError(team({ a: undefined, chief: 'a' }, { aggregator: 'chief' }))).toMatch(
      /aggregator 'chief' must not have a parent \(it has 'a'\)/,
    );
    expect(
      validationError(team({ a: 'chief', b: undefined, chief: undefined }, { aggregator: 'chief' })),
    ).toMatch(/aggregator 'chief' must not have children \(a name it as parent\)/);
  });

  it('needs an aggregator for more than one tree, and a tree besides the aggregator', () => {
    expect(validationError(team({ x: 'a', a: undefined, b: undefined }))).toMatch(
      /has 2 trees \(roots: a, b\); set options\.aggregator/,
    );
    expect(validationError(team({ chief: undefined }, { aggregator: 'chief' }))).toMatch(/at least one tree/);
  });

  it('leaves work on the task; a parent synthesises its children and sees the task; one tree gives its root', async () => {
    const { result, ctx } = await run(
      team({ a: 'lead', b: 'lead', lead: undefined }),
      (agent) => `work of ${agent}`,
    );
    const promptOf = (agent: string) => ctx.calls.find((c) => c.agent === agent)?.prompt ?? '';
    expect(promptOf('a')).toBe(TASK);
    expect(promptOf('b')).toBe(TASK);
    expect(promptOf('lead')).toContain(TASK);
    expect(promptOf('lead')).toContain('--- Output of a ---\nwork of a');
    expect(promptOf('lead')).toContain('--- Output of b ---\nwork of b');
    expect(ctx.calls.at(-1)?.agent).toBe('lead');
    expect(result.output).toBe('work of lead');
    expect(result.details).toEqual({ roots: ['lead'], aggregator: null, failures: [], skipped: [] });
  });

  it('a parent sees only its own children; the aggregator sees the task and only the roots', async () => {
    const { result, ctx } = await run(team(twoTrees, { aggregator: 'chief' }), (agent) => `work of ${agent}`);
    const promptOf = (agent: string) => ctx.calls.find((c) => c.agent === agent)?.prompt ?? '';
    expect(promptOf('lead2')).toContain('work of z');
    expect(promptOf('lead2')).not.toContain('work of x');
    expect(promptOf('chief')).toContain(TASK);
    expect(promptOf('chief')).toContain('--- Output of lead1 ---\nwork of lead1');
    expect(promptOf('chief')).toContain('--- Output of lead2 ---\nwork of lead2');
    expect(promptOf('chief')).not.toContain('work of x');
    expect(ctx.calls.at(-1)?.agent).toBe('chief');
    expect(result.output).toBe('work of chief');
    expect(result.details).toMatchObject({ roots: ['lead1', 'lead2'], aggregator: 'chief' });
  });

  it('runs each agent in its own named scope', async () => {
    const { ctx } = await run(team(twoTrees, { aggregator: 'chief' }), (agent) => agent);
    expect(ctx.calls.every((c) => c.scope === `forest:${c.agent}/`)).toBe(true);
  });

  it('runs the trees concurrently: one tree does not wait for another', async () => {
    // x (tree 1) only finishes once lead2 (tree 2) has started.
    let lead2Started = false;
    const { result } = await run(team(twoTrees, { aggregator: 'chief' }), async (agent) => {
      if (agent === 'lead2') lead2Started = true;
      if (agent === 'x') await until(() => lead2Started, { message: 'lead2 to start' });
      return agent;
    });
    expect(result.output).toBe('chief');
  });

  it('tolerates a failed child: its parent synthesises the others and is told of the failure', async () => {
    const { result, ctx } = await run(team({ a: 'lead', b: 'lead', lead: undefined }), (agent) => {
      if (agent === 'a') throw down(agent);
      return `work of ${agent}`;
    });
    const lead = ctx.calls.find((c) => c.agent === 'lead')?.prompt ?? '';
    expect(lead).toContain('--- a failed ---\na is down');
    expect(lead).toContain('--- Output of b ---\nwork of b');
    expect(result.output).toBe('work of lead');
    expect(result.details).toMatchObject({
      failures: [{ agent: 'a', code: 'model.unreachable', message: 'a is down' }],
    });
  });

  it('skips a parent all of whose children failed; the aggregator merges the surviving trees', async () => {
    const { result, ctx } = await run(team(twoTrees, { aggregator: 'chief' }), (agent) => {
      if (agent === 'z') throw down(agent);
      return `work of ${agent}`;
    });
    expect(ctx.calls.map((c) => c.agent)).not.toContain('lead2');
    expect(ctx.calls.find((c) => c.agent === 'chief')?.prompt).toContain(
      '--- lead2 failed ---\nevery agent under it failed',
    );
    expect(result.output).toBe('work of chief');
    expect(result.details).toMatchObject({ failures: [{ agent: 'z' }], skipped: ['lead2'] });
  });

  it('fails with the first failure when no root has an output', async () => {
    const spec = team({ a: 'lead', b: 'lead', lead: undefined });
    const ctx = context((agent) => {
      throw down(agent);
    });
    await expect(forestTopology.run(spec, forestTopology.options.parse({}), ctx)).rejects.toThrow(
      'a is down',
    );
    expect(ctx.calls.map((c) => c.agent)).not.toContain('lead');
  });

  it('rethrows a task-ending error unchanged', async () => {
    const attempt = run(team(twoTrees, { aggregator: 'chief' }), (agent) => {
      if (agent === 'y') throw new AgentdError({ code: 'task.cancelled', message: 'cancelled' });
      return agent;
    });
    await expect(attempt).rejects.toMatchObject({ code: 'task.cancelled' });
  });
});
