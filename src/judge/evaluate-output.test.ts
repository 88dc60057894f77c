import { describe, expect, it } from 'vitest';
import { evaluateOutput } from './evaluate-output.js';
import type { EvaluateOutputInput, JudgeReply } from './evaluate-output.js';
import { RubricSchema } from './rubric.js';
import { toVote } from './verdict.js';

const rubric = RubricSchema.parse({
  name: 'r',
  threshold: 0.6,
  criteria: [
    { name: 'a', description: 'first', weight: 1 },
    { name: 'b', description: 'second', weight: 1 },
  ],
});

const answer = (a: number, b?: number): JudgeReply => ({
  answer: {
    scores: [
      { criterion: 'a', score: a, reason: 'x' },
      ...(b === undefined ? [] : [{ criterion: 'b', score: b, reason: 'y' }]),
    ],
    issues: [],
    suggestions: [],
  },
  costUsd: 0,
});

function input(overrides: Partial<EvaluateOutputInput> = {}): EvaluateOutputInput {
  const asked: string[] = [];
  return {
    mode: 'panel',
    task: 'task',
    output: 'output',
    rubric,
    checks: [],
    judges: [{ name: 'j1' }, { name: 'j2' }, { name: 'j3' }],
    strategy: 'mean',
    runChecks: async () => [],
    askJudges: async (requests) => {
      asked.push(...requests.map((r) => r.judge.name));
      return requests.map(() => answer(0.9, 0.9));
    },
    toVote: (name, reply, costUsd) => toVote(name, rubric, reply, { costUsd }),
    ...overrides,
  };
}

describe('evaluateOutput', () => {
  it('asks one judge in single mode and the whole panel in panel mode', async () => {
    const names: string[][] = [];
    const askJudges: EvaluateOutputInput['askJudges'] = async (requests) => {
      names.push(requests.map((r) => r.judge.name));
      return requests.map(() => answer(0.9, 0.9));
    };
    expect((await evaluateOutput(input({ mode: 'single', askJudges }))).votes).toHaveLength(1);
    expect((await evaluateOutput(input({ askJudges }))).votes).toHaveLength(3);
    expect(names).toEqual([['j1'], ['j1', 'j2', 'j3']]);
  });

  it('does not judge in checks mode without checks, nor without a rubric and checks', async () => {
    expect(await evaluateOutput(input({ mode: 'checks' }))).toMatchObject({ judged: false, approved: true });
    expect(await evaluateOutput(input({ rubric: undefined }))).toMatchObject({
      judged: false,
      approved: true,
    });
  });

  it('leaves out a judge that skipped a criterion, and fails only when no judge is usable', async () => {
    const partly = await evaluateOutput(
      input({ askJudges: async () => [answer(0.9, 0.9), answer(0.1), answer(0.8, 0.8)] }),
    );
    expect(partly.votes.map((v) => v.judge)).toEqual(['j1', 'j3']);
    expect(partly.unusable?.[0]).toMatch(/^j2: the answer does not score 'b'/);
    expect(partly.approved).toBe(true);
    await expect(
      evaluateOutput(input({ askJudges: async (requests) => requests.map(() => answer(0.9)) })),
    ).rejects.toMatchObject({ code: 'judge.missing_criterion' });
  });
});
