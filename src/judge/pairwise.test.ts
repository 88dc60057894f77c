import { describe, expect, it } from 'vitest';
import { pairwiseOutcome, pairwisePrompt, positionConsistent } from './pairwise.js';
import type { PairwiseAnswer } from './pairwise.js';
import { RubricSchema } from './rubric.js';

const says = (winner: PairwiseAnswer['winner']): PairwiseAnswer => ({ winner, reason: 'because' });
const rubric = RubricSchema.parse({ name: 'r', criteria: [{ name: 'correctness', description: 'Right.' }] });

/** A scripted pairwise judge: answers from the prompt, as a model would. */
type PairwiseJudge = (prompt: string) => PairwiseAnswer;

/** Runs the comparison of x and y in both orders, the way a panel does. */
function compare(judge: PairwiseJudge, x: string, y: string) {
  const first = judge(pairwisePrompt({ rubric, task: 'Capital of Australia?', a: x, b: y }));
  const second = judge(pairwisePrompt({ rubric, task: 'Capital of Australia?', a: y, b: x }));
  return { outcome: pairwiseOutcome(first, second), consistent: positionConsistent(first, second) };
}

const outputA = (prompt: string) => /--- Output A ---\n([\s\S]*?)\n--- Output B ---/.exec(prompt)?.[1] ?? '';
const outputB = (prompt: string) =>
  /--- Output B ---\n([\s\S]*?)\n--- End of outputs ---/.exec(prompt)?.[1] ?? '';

describe('pairwise comparison', () => {
  it('a judge that always says A (position bias) yields a tie, flagged inconsistent', () => {
    const biased: PairwiseJudge = () => says('A');
    expect(compare(biased, 'Canberra', 'Sydney')).toEqual({ outcome: 'tie', consistent: false });
  });

  it('a judge that reads the content picks the same winner in both orders', () => {
    const fair: PairwiseJudge = (prompt) =>
      outputA(prompt).includes('Canberra')
        ? says('A')
        : outputB(prompt).includes('Canberra')
          ? says('B')
          : says('tie');
    expect(compare(fair, 'Canberra', 'Sydney')).toEqual({ outcome: 'x', consistent: true });
    expect(compare(fair, 'Sydney', 'Canberra')).toEqual({ outcome: 'y', consistent: true });
    expect(compare(fair, 'Perth', 'Sydney')).toEqual({ outcome: 'tie', consistent: true });
  });

  it('a tie in one order and a winner in the other is a tie, and inconsistent', () => {
    expect(pairwiseOutcome(says('A'), says('tie'))).toBe('tie');
    expect(positionConsistent(says('tie'), says('B'))).toBe(false);
    expect(pairwiseOutcome(says('B'), says('B'))).toBe('tie');
  });

  it('shows the rubric and both outputs, labelled', () => {
    const prompt = pairwisePrompt({ rubric, task: 'T', a: 'first', b: 'second' });
    expect(prompt).toContain('- correctness (weight 1): Right.');
    expect(prompt).toContain(
      '--- Task ---\nT\n--- Output A ---\nfirst\n--- Output B ---\nsecond\n--- End of outputs ---',
    );
  });
});
