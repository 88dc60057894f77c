import { describe, expect, it } from 'vitest';
import type { TeamSpec } from '../agents/index.js';
import { closestName } from '../core/closest-name.js';
import { prepareTeam } from './registry.js';

const agents = [
  { name: 'optimist', instructions: 'argue for', tools: [] },
  { name: 'skeptic', instructions: 'argue against', tools: [] },
  { name: 'chair', instructions: 'decide', tools: [] },
] as unknown as TeamSpec['agents'];

function problem(options: Record<string, unknown>): string {
  try {
    prepareTeam({ name: 'board', topology: 'debate', agents, options } as TeamSpec);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the options to be refused');
}

describe('topology option errors', () => {
  it('name the key path of an unknown option and the option it probably meant', () => {
    expect(problem({ judgee: 'chair' })).toBe('debate: options.judgee: unknown option; did you mean judge?');
  });

  it('list the options when nothing is close, and name the key of a bad value', () => {
    expect(problem({ moderator: 'chair' })).toBe(
      'debate: options.moderator: unknown option; the options are judge, rounds, judgeEachRound',
    );
    expect(problem({ rounds: 'two' })).toMatch(/^debate: options\.rounds: /);
  });

  it('suggests only names within a few edits', () => {
    expect(closestName('judgee', ['judge', 'rounds'])).toBe('judge');
    expect(closestName('roudns', ['judge', 'rounds'])).toBe('rounds');
    expect(closestName('x', ['judge', 'rounds'])).toBeUndefined();
  });
});
