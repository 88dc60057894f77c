import { describe, expect, it } from 'vitest';
import type { AgentSpec, TeamSpec } from '../agents/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { debateTopology } from './debate.js';

const agent = (name: string): AgentSpec => ({ name, tools: [] });

const team = (agents: AgentSpec[], options: Record<string, unknown> = {}): TeamSpec => ({
  name: 'team',
  topology: 'debate',
  agents,
  options,
});

const TASK = 'What is the capital of Australia?';
const trio = () => [agent('ann'), agent('bob'), agent('judge')];

const ruling = (decision: string) => JSON.stringify({ decision, rationale: `because ${decision}` });
const check = (agreed: boolean, decision: string) => JSON.stringify({ agreed, decision, rationale: 'seen' });
const isCheck = (prompt: string) => prompt.includes('"agreed"');

async function run(
  agents: AgentSpec[],
  options: Record<string, unknown>,
  answer: (agent: string, prompt: string) => string | Promise<string>,
) {
  const spec = team(agents, options);
  const parsed = debateTopology.options.parse(spec.options);
  debateTopology.validate(spec, parsed);
  const ctx = createFakeTopologyContext({ prompt: TASK, answer });
  const result = await debateTopology.run(spec, parsed, ctx);
  return { result, calls: ctx.calls };
}

describe('debate topology', () => {
  it('needs at least 2 debaters besides the judge', () => {
    expect(() =>
      debateTopology.validate(team([agent('a'), agent('j')]), debateTopology.options.parse({})),
    ).toThrow('debate: needs at least 2 debaters (besides the judge), the team has 1');
  });

  it('rejects a judge option naming no agent of the team', () => {
    const spec = team(trio(), { judge: 'referee' });
    expect(() => debateTopology.validate(spec, debateTopology.options.parse(spec.options))).toThrow(
      /options\.judge names 'referee'/,
    );
  });

  it('defaults to 2 rounds with the judge asked each round, and rejects unknown options', () => {
    expect(debateTopology.options.parse({})).toEqual({ rounds: 2, judgeEachRound: true });
    expect(() => debateTopology.options.parse({ maxRounds: 2 })).toThrow();
  });

  it('ends on agreement when the independent answers are equal once normalised; the last agent judges', async () => {
    const { result, calls } = await run(trio(), {}, (name) =>
      name === 'judge' ? ruling('Canberra') : name === 'ann' ? 'Canberra.' : '  canberra',
    );
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'judge']);
    expect(calls[0]?.prompt).toContain(TASK);
    expect(calls[0]?.scope).not.toBe(calls[1]?.scope);
    expect(calls[2]?.prompt).toContain('--- Answer of ann ---\nCanberra.');
    expect(isCheck(calls[2]?.prompt ?? '')).toBe(false);
    expect(result.output).toBe('Canberra');
    expect(result.details).toEqual({
      judge: 'judge',
      decision: 'Canberra',
      rationale: 'because Canberra',
      rounds: 0,
      endedBy: 'agreement',
      answers: { ann: 'Canberra.', bob: '  canberra' },
      failures: [],
    });
  });

  it('shows each debater the others’ latest answers, labelled, and its own previous answer', async () => {
    const { calls } = await run(
      [agent('ann'), agent('bob'), agent('cy'), agent('judge')],
      { rounds: 1 },
      (name, prompt) =>
        name === 'judge'
          ? check(false, 'Canberra')
          : prompt.includes('Round 1')
            ? `${name} revised`
            : `${name} first`,
    );
    const annRevision =
      calls.find((c) => c.agent === 'ann' && c.prompt.includes('Round 1 of 1'))?.prompt ?? '';
    expect(annRevision).toContain(TASK);
    expect(annRevision).toContain('--- Your previous answer ---\nann first');
    expect(annRevision).toContain('--- Answer of bob ---\nbob first');
    expect(annRevision).toContain('--- Answer of cy ---\ncy first');
    expect(annRevision).not.toContain('Answer of ann');
    const judged = calls.find((c) => c.agent === 'judge')?.prompt ?? '';
    expect(judged).toContain('--- Answer of cy ---\ncy revised');
    expect(judged).not.toContain('Your previous answer');
  });

  it('ends when the judge, asked after a round, says the debaters agree', async () => {
    const { result, calls } = await run(trio(), {}, (name, prompt) => {
      if (name === 'judge') return check(true, 'Canberra');
      if (prompt.includes('Round 1')) return name === 'ann' ? 'Canberra, the capital' : 'It is Canberra';
      return name === 'ann' ? 'Canberra' : 'Sydney';
    });
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'ann', 'bob', 'judge']);
    expect(calls[4]?.prompt).toContain('after round 1 of 2');
    expect(calls[4]?.prompt).toContain('--- Answer of bob ---\nIt is Canberra');
    expect(result.output).toBe('Canberra');
    expect(result.details).toMatchObject({ rounds: 1, endedBy: 'judge', rationale: 'seen' });
  });

  it('ends on agreement when revised answers become equal, without asking the judge whether they agree', async () => {
    const { result, calls } = await run(trio(), {}, (name, prompt) => {
      if (name === 'judge') return isCheck(prompt) ? check(false, 'unused') : ruling('Canberra');
      if (prompt.includes('Round 1')) return 'Canberra';
      return name === 'ann' ? 'Canberra' : 'Sydney';
    });
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'ann', 'bob', 'judge']);
    expect(isCheck(calls[4]?.prompt ?? '')).toBe(false);
    expect(result.details).toMatchObject({ rounds: 1, endedBy: 'agreement' });
  });

  it('uses the judge’s answer of the last round as its decision, without asking it again', async () => {
    const { result, calls } = await run(trio(), {}, (name, prompt) =>
      name === 'judge' ? check(false, 'Canberra') : `${name}: ${prompt.length}`,
    );
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'ann', 'bob', 'judge', 'ann', 'bob', 'judge']);
    expect(calls.filter((c) => c.agent === 'judge').every((c) => isCheck(c.prompt))).toBe(true);
    expect(result.output).toBe('Canberra');
    expect(result.details).toMatchObject({ rounds: 2, endedBy: 'max-rounds' });
  });

  it('asks the judge only at the end when judgeEachRound is off', async () => {
    const { result, calls } = await run(trio(), { judgeEachRound: false, rounds: 3 }, (name, prompt) =>
      name === 'judge' ? ruling('Canberra') : `${name}: ${prompt.length}`,
    );
    expect(calls.map((c) => c.agent)).toEqual([
      'ann',
      'bob',
      'ann',
      'bob',
      'ann',
      'bob',
      'ann',
      'bob',
      'judge',
    ]);
    expect(isCheck(calls[8]?.prompt ?? '')).toBe(false);
    expect(result.details).toMatchObject({ rounds: 3, endedBy: 'max-rounds' });
  });

  it('lets the judge decide on the independent answers when rounds is 0', async () => {
    const { result, calls } = await run(trio(), { rounds: 0 }, (name) =>
      name === 'judge' ? ruling('Canberra') : name,
    );
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'judge']);
    expect(result.details).toMatchObject({ rounds: 0, endedBy: 'max-rounds' });
  });

  it('uses the agent named by the judge option as judge, and never as a debater', async () => {
    const { calls } = await run([agent('ref'), agent('ann'), agent('bob')], { judge: 'ref' }, (name) =>
      name === 'ref' ? ruling('x') : 'same',
    );
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'ref']);
  });

  it('drops a failed debater from later rounds and reports it', async () => {
    const { result, calls } = await run(
      [agent('ann'), agent('bob'), agent('cy'), agent('judge')],
      { rounds: 1, judgeEachRound: false },
      (name, prompt) => {
        if (name === 'judge') return ruling('Canberra');
        if (name === 'cy') throw new Error('cy is down');
        return `${name}: ${prompt.includes('Round 1') ? 'revised' : 'first'}`;
      },
    );
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'cy', 'ann', 'bob', 'judge']);
    expect(calls[3]?.prompt).not.toContain('Answer of cy');
    expect(calls[5]?.prompt).not.toContain('Answer of cy');
    expect(result.details).toMatchObject({
      endedBy: 'max-rounds',
      answers: { ann: 'ann: revised', bob: 'bob: revised' },
      failures: [{ debater: 'cy', round: 0, error: 'cy is down' }],
    });
  });

  it('has the judge decide on what there is when fewer than 2 debaters remain', async () => {
    const { result, calls } = await run(trio(), {}, (name) => {
      if (name === 'judge') return ruling('Canberra');
      if (name === 'bob') throw new Error('bob is down');
      return 'Canberra';
    });
    expect(calls.map((c) => c.agent)).toEqual(['ann', 'bob', 'judge']);
    expect(calls[2]?.prompt).toContain('--- Answer of ann ---\nCanberra');
    expect(result.output).toBe('Canberra');
    expect(result.details).toMatchObject({
      rounds: 0,
      endedBy: 'debaters-failed',
      answers: { ann: 'Canberra' },
    });
  });

  it('fails the run when every debater failed, naming each failure', async () => {
    await expect(
      run(trio(), {}, (name) => {
        throw new Error(`${name} is down`);
      }),
    ).rejects.toMatchObject({
      code: 'topology.agents_failed',
      message: expect.stringContaining('ann in round 0: ann is down; bob in round 0: bob is down'),
    });
  });
});
