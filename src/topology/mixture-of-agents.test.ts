import { describe, expect, it } from 'vitest';
import { TeamSpecSchema, type TeamSpec } from '../agents/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { mixtureOfAgentsTopology } from './mixture-of-agents.js';

const TASK = 'Write a haiku about the sea.';

function team(...names: string[]): TeamSpec {
  return TeamSpecSchema.parse({ topology: 'mixture-of-agents', agents: names.map((name) => ({ name })) });
}

/** The layer a proposer prompt belongs to (layer 1 prompts state none). */
function layerOf(prompt: string): number {
  return Number(/Layer (\d+) of/.exec(prompt)?.[1] ?? 1);
}

async function run(t: TeamSpec, ctx: ReturnType<typeof createFakeTopologyContext>, options: unknown = {}) {
  const parsed = mixtureOfAgentsTopology.options.parse(options);
  mixtureOfAgentsTopology.validate(t, parsed);
  return mixtureOfAgentsTopology.run(t, parsed, ctx);
}

/** Proposers answer `<agent>@<layer>`, the aggregator `final`. */
function layered(aggregator = 'agg') {
  return createFakeTopologyContext({
    prompt: TASK,
    answer: (agent, prompt) => (agent === aggregator ? 'final' : `${agent}@${layerOf(prompt)}`),
  });
}

describe('mixture-of-agents topology', () => {
  it('needs a proposer besides the aggregator, which must be on the team', () => {
    expect(() =>
      mixtureOfAgentsTopology.validate(team('only'), mixtureOfAgentsTopology.options.parse({})),
    ).toThrow("mixture-of-agents: needs at least 1 proposer besides the aggregator 'only'");
    expect(() =>
      mixtureOfAgentsTopology.validate(
        team('a', 'b'),
        mixtureOfAgentsTopology.options.parse({ aggregator: 'x' }),
      ),
    ).toThrow("options.aggregator names 'x'");
  });

  it('allows 1 to 5 layers, 2 by default', () => {
    expect(mixtureOfAgentsTopology.options.parse({})).toEqual({ layers: 2 });
    expect(() => mixtureOfAgentsTopology.options.parse({ layers: 0 })).toThrow();
    expect(() => mixtureOfAgentsTopology.options.parse({ layers: 6 })).toThrow();
  });

  it('has every proposer answer the task, then answer again with the previous layer as references', async () => {
    const ctx = layered();
    const result = await run(team('p', 'q', 'agg'), ctx);
    expect(result.output).toBe('final');
    expect(result.details).toEqual({ layers: 2, proposers: ['p', 'q'], aggregator: 'agg', failures: [] });

    const proposals = ctx.calls.filter((c) => c.agent !== 'agg');
    expect(proposals).toHaveLength(4);
    for (const call of proposals.filter((c) => layerOf(c.prompt) === 1)) {
      expect(call.prompt).toContain(TASK);
      expect(call.prompt).not.toContain('Reference');
    }
    const second = proposals.filter((c) => layerOf(c.prompt) === 2);
    expect(second.map((c) => c.agent).sort()).toEqual(['p', 'q']);
    for (const call of second) {
      expect(call.prompt).toContain(TASK);
      expect(call.prompt).toContain('--- Reference answer (layer 1) from p ---\np@1');
      expect(call.prompt).toContain('--- Reference answer (layer 1) from q ---\nq@1');
    }
  });

  it('has the aggregator (the last agent by default) synthesise only the last layer', async () => {
    const ctx = layered();
    await run(team('p', 'q', 'agg'), ctx, { layers: 3 });
    const aggregator = ctx.calls.filter((c) => c.agent === 'agg');
    expect(aggregator).toHaveLength(1);
    expect(aggregator[0]?.prompt).toContain(TASK);
    expect(aggregator[0]?.prompt).toContain('--- Proposal from p ---\np@3');
    expect(aggregator[0]?.prompt).toContain('--- Proposal from q ---\nq@3');
    expect(aggregator[0]?.prompt).not.toContain('@2');
    expect(ctx.calls).toHaveLength(7);
  });

  it('uses a named aggregator instead of the last agent', async () => {
    const ctx = layered('lead');
    const result = await run(team('lead', 'p', 'q'), ctx, { aggregator: 'lead', layers: 1 });
    expect(result.details).toMatchObject({ proposers: ['p', 'q'], aggregator: 'lead' });
    expect(ctx.calls.at(-1)?.agent).toBe('lead');
    expect(ctx.calls.filter((c) => c.agent === 'lead')).toHaveLength(1);
  });

  it('reports a failed proposer and leaves it out of the references', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => {
        if (agent === 'q' && layerOf(prompt) === 1) throw new Error('rate limited');
        return agent === 'agg' ? 'final' : `${agent}@${layerOf(prompt)}`;
      },
    });
    const result = await run(team('p', 'q', 'agg'), ctx);
    expect(result.details).toMatchObject({
      failures: [{ layer: 1, agent: 'q', error: { message: 'rate limited' } }],
    });
    const second = ctx.calls.find((c) => c.agent === 'p' && layerOf(c.prompt) === 2)?.prompt ?? '';
    expect(second).toContain('from p ---');
    expect(second).not.toContain('from q ---');
    // q recovered in layer 2, so the aggregator sees both.
    expect(ctx.calls.at(-1)?.prompt).toContain('--- Proposal from q ---\nq@2');
  });

  it('fails the run when a whole layer fails', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => {
        if (agent !== 'agg' && layerOf(prompt) === 2) throw new Error('offline');
        return 'text';
      },
    });
    await expect(run(team('p', 'q', 'agg'), ctx)).rejects.toMatchObject({
      code: 'topology.all_agents_failed',
      message: expect.stringContaining('every proposer failed in layer 2 (p: offline; q: offline)'),
    });
    expect(ctx.calls.some((c) => c.agent === 'agg')).toBe(false);
  });
});
