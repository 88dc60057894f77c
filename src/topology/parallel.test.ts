import { describe, expect, it } from 'vitest';
import { TeamSpecSchema } from '../agents/index.js';
import type { TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { until } from '../testing/until.js';
import { parallelTopology } from './parallel.js';

const TASK = 'What is 6 times 7?';

function team(names: string[], options: Record<string, unknown> = {}): TeamSpec {
  return TeamSpecSchema.parse({ topology: 'parallel', agents: names.map((name) => ({ name })), options });
}

async function run(
  spec: TeamSpec,
  answer: (agent: string, prompt: string) => string | Promise<string>,
): Promise<{
  result: Awaited<ReturnType<typeof parallelTopology.run>>;
  ctx: ReturnType<typeof createFakeTopologyContext>;
}> {
  const options = parallelTopology.options.parse(spec.options);
  parallelTopology.validate(spec, options);
  const ctx = createFakeTopologyContext({ prompt: TASK, answer });
  return { result: await parallelTopology.run(spec, options, ctx), ctx };
}

function validationError(spec: TeamSpec): string {
  try {
    parallelTopology.validate(spec, parallelTopology.options.parse(spec.options));
  } catch (error) {
    expect(error).toBeInstanceOf(AgentdError);
    expect((error as AgentdError).code).toBe('topology.invalid_team');
    return (error as AgentdError).message;
  }
  throw new Error('expected validate to throw');
}

describe('parallel topology', () => {
  it('defaults to concat', () => {
    expect(parallelTopology.options.parse({})).toEqual({ merge: 'concat' });
  });

  it('rejects a team with fewer than 2 working agents', () => {
    expect(validationError(team(['a']))).toMatch(/at least 2 agents.*has 1/);
    expect(validationError(team(['a', 'judge'], { merge: 'synthesize', aggregator: 'judge' }))).toMatch(
      /at least 2 agents working on the task besides the aggregator 'judge', the team has 1/,
    );
  });

  it('requires an aggregator for synthesize, and only for synthesize', () => {
    expect(validationError(team(['a', 'b'], { merge: 'synthesize' }))).toMatch(
      /synthesize needs options\.aggregator/,
    );
    expect(validationError(team(['a', 'b', 'c'], { merge: 'vote', aggregator: 'c' }))).toMatch(
      /aggregator is only used with merge: synthesize \(merge is 'vote'\)/,
    );
  });

  it('rejects an aggregator that is not an agent of the team', () => {
    expect(validationError(team(['a', 'b'], { merge: 'synthesize', aggregator: 'boss' }))).toMatch(
      /options\.aggregator names 'boss', which is not an agent of the team \(agents: a, b\)/,
    );
  });

  it('gives every agent the task at once, each in its own branch', async () => {
    const { ctx } = await run(team(['a', 'b', 'c']), (agent) => `answer of ${agent}`);
    expect(ctx.calls.map((c) => c.agent).sort()).toEqual(['a', 'b', 'c']);
    expect(ctx.calls.every((c) => c.prompt === TASK)).toBe(true);
    expect(new Set(ctx.calls.map((c) => c.scope)).size).toBe(3);
  });

  it('starts all agents before any finishes', async () => {
    let started = 0;
    let release: () => void = () => undefined;
    const allStarted = new Promise<void>((resolve) => (release = resolve));
    const { result } = await run(team(['a', 'b', 'c']), async (agent) => {
      if (++started === 3) release();
      await allStarted;
      return agent;
    });
    expect(started).toBe(3);
    expect(result.output).toContain('--- c ---');
  });

  it('concat: labelled sections in team order', async () => {
    const { result } = await run(team(['a', 'b']), (agent) => `answer of ${agent}`);
    expect(result.output).toBe('--- a ---\nanswer of a\n\n--- b ---\nanswer of b');
    expect(result.details).toEqual({ merge: 'concat', failures: [] });
  });

  it('concat: a failed agent is noted in its place and listed in details', async () => {
    const { result } = await run(team(['a', 'b', 'c']), (agent) => {
      if (agent === 'b') throw new AgentdError({ code: 'model.unreachable', message: 'model down' });
      return `answer of ${agent}`;
    });
    expect(result.output).toBe(
      '--- a ---\nanswer of a\n\n--- b ---\n(b failed: model down)\n\n--- c ---\nanswer of c',
    );
    expect(result.details).toEqual({
      merge: 'concat',
      failures: [{ agent: 'b', code: 'model.unreachable', message: 'model down' }],
    });
  });

  it('throws the first error when every agent fails', async () => {
    const attempt = run(team(['a', 'b']), (agent) => {
      throw new AgentdError({ code: 'model.unreachable', message: `${agent} is down` });
    });
    await expect(attempt).rejects.toThrow('a is down');
  });

  it('vote: the majority of normalised answers wins, with the counts in details', async () => {
    const answers: Record<string, string> = { a: '42', b: 'Forty-two', c: '42.', d: ' 42 ' };
    const { result, ctx } = await run(
      team(['a', 'b', 'c', 'd'], { merge: 'vote' }),
      (agent) => answers[agent] ?? '',
    );
    expect(result.output).toBe('42');
    expect(result.details).toEqual({
      merge: 'vote',
      votes: [
        { answer: '42', votes: 3, agents: ['a', 'c', 'd'] },
        { answer: 'Forty-two', votes: 1, agents: ['b'] },
      ],
      winnerVotes: 3,
      voters: 4,
      failures: [],
    });
    // Voters are told their answers are compared, so they answer briefly; the task is still there.
    expect(ctx.calls[0]?.prompt).toContain(TASK);
    expect(ctx.calls[0]?.prompt).toMatch(/majority answer wins/);
  });

  it('vote: a tie goes to the answer of the earliest agent in team order, whoever finishes first', async () => {
    const answers: Record<string, string> = { a: 'red', b: 'blue', c: 'blue', d: 'red' };
    const answered = new Set<string>();
    const { result } = await run(team(['a', 'b', 'c', 'd'], { merge: 'vote' }), async (agent) => {
      // a answers last, so the tie break cannot depend on finishing order.
      if (agent === 'a') await until(() => answered.size === 3, { message: 'b, c and d to answer' });
      answered.add(agent);
      return answers[agent] ?? '';
    });
    expect([...answered]).toEqual(['b', 'c', 'd', 'a']);
    expect(result.output).toBe('red');
  });

  it('vote: failed agents do not vote and are listed', async () => {
    const { result } = await run(team(['a', 'b', 'c'], { merge: 'vote' }), (agent) => {
      if (agent === 'a') throw new AgentdError({ code: 'model.unreachable', message: 'down' });
      return agent === 'b' ? 'yes' : 'no';
    });
    expect(result.output).toBe('yes');
    expect(result.details).toMatchObject({
      voters: 2,
      failures: [{ agent: 'a', code: 'model.unreachable' }],
    });
  });

  it('synthesize: the aggregator sees the task and every output, and does not work on the task itself', async () => {
    const { result, ctx } = await run(
      team(['a', 'judge', 'b'], { merge: 'synthesize', aggregator: 'judge' }),
      (agent) => (agent === 'judge' ? 'merged' : `answer of ${agent}`),
    );
    expect(result.output).toBe('merged');
    expect(result.details).toEqual({ merge: 'synthesize', aggregator: 'judge', failures: [] });
    const judgeCalls = ctx.calls.filter((c) => c.agent === 'judge');
    expect(judgeCalls).toHaveLength(1);
    expect(ctx.calls.at(-1)?.agent).toBe('judge');
    const prompt = judgeCalls[0]?.prompt ?? '';
    expect(prompt).toContain(TASK);
    expect(prompt).toContain('--- Output of a ---\nanswer of a');
    expect(prompt).toContain('--- Output of b ---\nanswer of b');
  });

  it('synthesize: the aggregator is told which agent failed', async () => {
    const { result, ctx } = await run(
      team(['a', 'b', 'judge'], { merge: 'synthesize', aggregator: 'judge' }),
      (agent) => {
        if (agent === 'b') throw new AgentdError({ code: 'model.unreachable', message: 'b is down' });
        return agent === 'judge' ? 'merged' : 'answer';
      },
    );
    expect(ctx.calls.find((c) => c.agent === 'judge')?.prompt).toContain('--- b failed ---\nb is down');
    expect(result.details).toMatchObject({ failures: [{ agent: 'b', message: 'b is down' }] });
  });
});
