import { describe, expect, it } from 'vitest';
import { extractFactsByRules } from './extract-facts.js';

describe('fact extraction by rules', () => {
  it('keeps declarative sentences and leaves out questions, instructions, markup and fragments', () => {
    const text = [
      '# Summary',
      'Caroline moved to Berlin in May 2023. Does she like it?',
      '- The deploy day is Thursday.',
      'Write a haiku about the sea.',
      'Ok.',
      '```ts',
      'const x = 1;',
      '```',
      '| a | b |',
      'The marketing budget for Q3 was cut by twenty percent!',
    ].join('\n');
    expect(extractFactsByRules(text, { max: 10 }).map((f) => f.content)).toEqual([
      'Caroline moved to Berlin in May 2023.',
      'The deploy day is Thursday.',
      'The marketing budget for Q3 was cut by twenty percent!',
    ]);
  });

  it('stops at the maximum, drops repeats, and records the sentence as the source', () => {
    const text =
      'Jon has a dog named Biscuit. Jon has a dog named Biscuit. Jon grows tomatoes in his garden. Gina runs marathons every year.';
    const facts = extractFactsByRules(text, { max: 2, importance: 0.3 });
    expect(facts).toEqual([
      { content: 'Jon has a dog named Biscuit.', importance: 0.3, source: 'Jon has a dog named Biscuit.' },
      {
        content: 'Jon grows tomatoes in his garden.',
        importance: 0.3,
        source: 'Jon grows tomatoes in his garden.',
      },
    ]);
  });

  it('finds nothing in text without full sentences', () => {
    expect(extractFactsByRules('tides pull at the shore\nsalt wind', { max: 5 })).toEqual([]);
  });
});
