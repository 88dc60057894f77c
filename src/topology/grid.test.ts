import { describe, expect, it } from 'vitest';
import { TeamSpecSchema, type TeamSpec } from '../agents/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { gridTopology } from './grid.js';

const TASK = 'What is the capital of Australia?';

function team(...names: string[]): TeamSpec {
  return TeamSpecSchema.parse({ topology: 'grid', agents: names.map((name) => ({ name })) });
}

/** The round a grid prompt belongs to (round 1 prompts state no round). */
function roundOf(prompt: string): number {
  return Number(/Round (\d+) of/.exec(prompt)?.[1] ?? 1);
}

async function run(t: TeamSpec, ctx: ReturnType<typeof createFakeTopologyContext>, options: unknown = {}) {
  const parsed = gridTopology.options.parse(options);
  gridTopology.validate(t, parsed);
  return gridTopology.run(t, parsed, ctx);
}

/** A context whose cells always give the same answer. */
function steady(answer: (agent: string) => string) {
  return createFakeTopologyContext({ prompt: TASK, answer: (agent) => answer(agent) });
}

describe('grid topology', () => {
  it('needs at least two cells besides the aggregator, and an aggregator that is on the team', () => {
    const options = gridTopology.options.parse({ aggregator: 'boss' });
    expect(() => gridTopology.validate(team('a', 'boss'), options)).toThrow(
      'grid: needs at least 2 cells (agents other than the aggregator), the team has 1',
    );
    expect(() =>
      gridTopology.validate(team('a', 'b'), gridTopology.options.parse({ aggregator: 'nobody' })),
    ).toThrow("options.aggregator names 'nobody', which is not an agent of the team");
  });

  it('rejects more columns than cells', () => {
    expect(() =>
      gridTopology.validate(team('a', 'b', 'c'), gridTopology.options.parse({ columns: 4 })),
    ).toThrow('grid: options.columns is 4, but the grid has only 3 cells');
  });

  it('lays cells out in ceil(sqrt(n)) columns by default, with a partial last row', async () => {
    const result = await run(
      team('a', 'b', 'c', 'd', 'e'),
      steady(() => 'Canberra'),
    );
    expect(result.details).toMatchObject({ grid: { rows: 2, columns: 3, cells: ['a', 'b', 'c', 'd', 'e'] } });
    const wide = await run(
      team('a', 'b', 'c', 'd', 'e'),
      steady(() => 'Canberra'),
      { columns: 5 },
    );
    expect(wide.details).toMatchObject({ grid: { rows: 1, columns: 5 } });
  });

  it('has every cell answer the task first, then refine from its own answer and its 4-neighbours only', async () => {
    // a b c
    // d e
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => `${agent}-answer-${roundOf(prompt)}`,
    });
    await run(team('a', 'b', 'c', 'd', 'e'), ctx, { maxRounds: 2 });

    const first = ctx.calls.filter((c) => roundOf(c.prompt) === 1);
    expect(first.map((c) => c.agent).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    for (const call of first) {
      expect(call.prompt).toContain(TASK);
      expect(call.prompt).not.toContain('-answer-');
    }

    const second = (agent: string) =>
      ctx.calls.find((c) => c.agent === agent && roundOf(c.prompt) === 2)?.prompt ?? '';
    const shown = (prompt: string) =>
      [...prompt.matchAll(/--- Answer of (\w) \((\w+)\) ---/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(second('a')).toContain(TASK);
    expect(second('a')).toContain('--- Your previous answer ---\na-answer-1');
    expect(shown(second('a'))).toEqual(['d:below', 'b:right']);
    expect(shown(second('b'))).toEqual(['e:below', 'a:left', 'c:right']);
    expect(shown(second('c'))).toEqual(['b:left']);
    expect(shown(second('d'))).toEqual(['a:above', 'e:right']);
    expect(shown(second('e'))).toEqual(['b:above', 'd:left']);
    expect(second('e')).toContain('--- Answer of b (above) ---\nb-answer-1');
  });

  it('ends when no cell’s normalised answer changes in a round', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => (roundOf(prompt) === 1 ? 'Canberra' : ' canberra. '),
    });
    const result = await run(team('a', 'b', 'c', 'd'), ctx);
    expect(result.details).toMatchObject({ rounds: 2, endedBy: 'stable' });
    expect(ctx.calls).toHaveLength(8);
  });

  it('stops after maxRounds (3 by default, overridable) while answers keep changing', async () => {
    const changing = () =>
      createFakeTopologyContext({ prompt: TASK, answer: (agent, prompt) => `guess ${roundOf(prompt)}` });
    const byDefault = changing();
    expect((await run(team('a', 'b'), byDefault)).details).toMatchObject({
      rounds: 3,
      endedBy: 'max-rounds',
    });
    expect(byDefault.calls).toHaveLength(6);
    const once = changing();
    const result = await run(team('a', 'b'), once, { maxRounds: 1 });
    expect(result.details).toMatchObject({ rounds: 1, endedBy: 'max-rounds' });
    expect(once.calls).toHaveLength(2);
  });

  it('returns the majority answer, a tie going to the earlier cell in grid order', async () => {
    const majority = await run(
      team('a', 'b', 'c'),
      steady((agent) => (agent === 'a' ? 'Sydney' : 'Canberra')),
    );
    expect(majority.output).toBe('Canberra');
    expect(majority.details).toMatchObject({ result: 'majority', votes: 2, total: 3 });

    const tie = await run(
      team('a', 'b', 'c', 'd'),
      steady((agent) => (agent === 'a' || agent === 'd' ? 'Sydney' : 'Canberra')),
    );
    expect(tie.output).toBe('Sydney');
  });

  it('has the aggregator (not a cell) synthesise every cell’s final answer', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent) => (agent === 'boss' ? 'Canberra, the capital.' : `${agent} says Canberra`),
    });
    const result = await run(team('a', 'boss', 'b', 'c'), ctx, { aggregator: 'boss' });
    expect(result.output).toBe('Canberra, the capital.');
    expect(result.details).toMatchObject({
      result: 'aggregator',
      aggregator: 'boss',
      grid: { cells: ['a', 'b', 'c'] },
    });
    const bossCalls = ctx.calls.filter((c) => c.agent === 'boss');
    expect(bossCalls).toHaveLength(1);
    expect(bossCalls[0]?.prompt).toContain(TASK);
    expect(bossCalls[0]?.prompt).toContain('--- Answer of a (row 1, column 1) ---\na says Canberra');
    expect(bossCalls[0]?.prompt).toContain('--- Answer of c (row 2, column 1) ---\nc says Canberra');
  });

  it('excludes and reports a cell that fails in round 1; its neighbours no longer see it', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => {
        if (agent === 'b') throw new Error('model unavailable');
        return roundOf(prompt) === 1 ? `${agent} first` : 'Canberra';
      },
    });
    const result = await run(team('a', 'b', 'c', 'd'), ctx, { maxRounds: 2 });
    expect(result.output).toBe('Canberra');
    expect(result.details).toMatchObject({
      excluded: ['b'],
      failures: [{ round: 1, agent: 'b', error: { message: 'model unavailable' } }],
      total: 3,
    });
    expect(ctx.calls.filter((c) => c.agent === 'b')).toHaveLength(1);
    const a2 = ctx.calls.find((c) => c.agent === 'a' && roundOf(c.prompt) === 2)?.prompt ?? '';
    expect(a2).toContain('Answer of c (below)');
    expect(a2).not.toContain('Answer of b');
  });

  it('keeps the previous answer of a cell that fails in a later round, and reports it', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => {
        if (roundOf(prompt) === 1) return 'Sydney';
        if (agent === 'a') throw new Error('timeout');
        return 'Canberra';
      },
    });
    const result = await run(team('a', 'b', 'c'), ctx, { maxRounds: 2 });
    // a keeps "Sydney"; b and c moved to "Canberra".
    expect(result.output).toBe('Canberra');
    expect(result.details).toMatchObject({
      excluded: [],
      failures: [{ round: 2, agent: 'a', error: { message: 'timeout' } }],
      votes: 2,
      total: 3,
    });
  });

  it('fails the run when every cell fails in a round', async () => {
    const first = createFakeTopologyContext({
      prompt: TASK,
      answer: () => {
        throw new Error('offline');
      },
    });
    await expect(run(team('a', 'b'), first)).rejects.toMatchObject({
      code: 'topology.all_agents_failed',
      message: expect.stringContaining('every cell failed in round 1'),
    });
    const later = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => {
        if (roundOf(prompt) === 2) throw new Error('offline');
        return 'Canberra';
      },
    });
    await expect(run(team('a', 'b'), later)).rejects.toMatchObject({
      message: expect.stringContaining('round 2'),
    });
  });
});
