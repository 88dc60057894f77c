import { describe, expect, it } from 'vitest';
import { FEEDBACK_HEADER, judgeFeedback } from './judge-feedback.js';

describe('judgeFeedback', () => {
  it('quotes failed checks and issues verbatim, most severe first, once each, then the suggestions', () => {
    const text = judgeFeedback({
      checks: [
        {
          type: 'contains',
          name: 'mentions Canberra',
          pass: false,
          reason: 'the output must contain "Canberra"',
          durationMs: 0,
        },
        { type: 'length', name: 'short', pass: true, reason: 'fine', durationMs: 0 },
      ],
      votes: [
        {
          issues: [
            { severity: 'minor', criterion: 'style', text: 'Too many adverbs.' },
            { severity: 'major', criterion: 'correctness', text: 'Sydney is not the capital.' },
          ],
          suggestions: ['Name Canberra.'],
        },
        {
          issues: [{ severity: 'major', criterion: 'correctness', text: 'Sydney is not the capital.' }],
          suggestions: ['Name Canberra.', 'Drop the history section.'],
        },
      ],
    });
    expect(text).toBe(
      [
        FEEDBACK_HEADER,
        '- [critical] check:mentions Canberra: the output must contain "Canberra"',
        '- [major] correctness: Sydney is not the capital.',
        '- [minor] style: Too many adverbs.',
        'Suggestions:',
        '- Name Canberra.',
        '- Drop the history section.',
      ].join('\n'),
    );
  });

  it('is empty when there is nothing to fix', () => {
    expect(judgeFeedback({})).toBe('');
    expect(judgeFeedback({ votes: [{ issues: [], suggestions: [] }] })).toBe('');
  });
});
