import { describe, expect, it } from 'vitest';
import { createTaskKindClassifier } from './task-kind.js';

const classifier = createTaskKindClassifier();

// Prompts the classifier was not built from (none is one of the shipped examples).
const table: [string, string][] = [
  ['Write a TypeScript function that merges two sorted arrays', 'code'],
  ['My Python script raises KeyError on line 12, can you debug it?', 'code'],
  ['Add unit tests for the date formatting helpers in utils.js', 'code'],
  ['Create a Dockerfile for a Node service and explain the build stages', 'code'],
  ['Write a regex that matches UK postcodes', 'code'],
  ['Solve for y: 2y - 5 = 11', 'math'],
  ['What is the integral of cos(x) from 0 to pi?', 'math'],
  ['Calculate the compound interest on $1000 at 5% for 3 years', 'math'],
  ['What is the probability of drawing two aces from a deck?', 'math'],
  ['Extract every company name and its revenue from this report as JSON', 'extraction'],
  ['Find all dates and amounts in the contract below and list them', 'extraction'],
  ['Parse these log lines into fields: timestamp, level, message', 'extraction'],
  ['Summarize this blog post in two sentences', 'summarisation'],
  ['Give me the key points of the attached transcript', 'summarisation'],
  ['tl;dr of the following email chain', 'summarisation'],
  ['Write a poem about autumn in Paris', 'writing'],
  ['Draft a newsletter announcing our new office', 'writing'],
  ['Write a cover letter for a nursing job', 'writing'],
  ['Rewrite this product description so it sounds less formal', 'writing'],
  ['Should I rent or buy a house in my situation? Think it through step by step', 'reasoning'],
  ['Compare Kafka and RabbitMQ for our event pipeline and recommend one', 'reasoning'],
  ['What are the pros and cons of a four-day work week for a small startup?', 'reasoning'],
  ['Find the root cause of the outage from this timeline', 'reasoning'],
  ['hi, how are you?', 'chat'],
  ['Thank you so much!', 'chat'],
  ['good morning :)', 'chat'],
  ['Tell me a joke about cats', 'chat'],
];

describe('task kind classifier', () => {
  it('classifies at least 90% of a varied prompt table correctly', () => {
    const wrong = table.filter(([text, kind]) => classifier.classify(text).kind !== kind);
    const accuracy = 1 - wrong.length / table.length;
    expect(accuracy, `misclassified: ${JSON.stringify(wrong)}`).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    ['Write a TypeScript function that debounces a callback', 'code'],
    ['Solve for x: 3x + 7 = 22', 'math'],
    ['Extract all email addresses and dates from this text as JSON', 'extraction'],
    ['Summarise this article in three bullet points', 'summarisation'],
    ['Write a short story about a dragon who is afraid of heights', 'writing'],
    ['Should we migrate to Postgres? Weigh the trade-offs step by step', 'reasoning'],
    ['hi, how are you?', 'chat'],
  ])('%s → %s', (text, kind) => {
    expect(classifier.classify(text).kind).toBe(kind);
  });

  it('returns the fallback, with every kind scored, for text without signals', () => {
    for (const text of ['', '   ', 'zzz qqq']) {
      const result = classifier.classify(text);
      expect(result.kind).toBe('chat');
      expect(Object.keys(result.scores).sort()).toEqual([...classifier.kinds].sort());
    }
  });

  it('keeps confidence and scores within 0–1', () => {
    for (const [text] of table) {
      const result = classifier.classify(text);
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
      for (const score of Object.values(result.scores)) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }
    }
  });

  it('adds configured kinds and lets a configured kind replace a shipped one', () => {
    const custom = createTaskKindClassifier({
      kinds: [
        {
          name: 'legal',
          keywords: ['contract', 'clause', 'liability', 'nda'],
          examples: ['Review this NDA'],
        },
        { name: 'math', keywords: ['abacus'], examples: [] },
      ],
    });
    expect(custom.kinds).toContain('legal');
    expect(custom.classify('Which clause of this contract limits our liability?').kind).toBe('legal');
    // The replaced math kind only knows its new keyword.
    expect(custom.classify('How do I use an abacus').kind).toBe('math');
    expect(custom.classify('Solve for x: 3x + 7 = 22').kind).not.toBe('math');
  });

  it('reads only the start of a long prompt', () => {
    const text = `Say hello back to me. ${'hello '.repeat(800)}${'write a python function '.repeat(50)}`;
    expect(classifier.classify(text).kind).toBe('chat');
  });

  it('matches keywords that end in symbols and only as whole words', () => {
    expect(classifier.classify('Port this C++ module').kind).toBe('code');
    // "classic" contains "class" but is not the word, so only the prototype similarity counts.
    const word = classifier.classify('a class').scores['code'] ?? 0;
    const partial = classifier.classify('a classic').scores['code'] ?? 0;
    expect(word - partial).toBeGreaterThan(0.2);
  });
});
