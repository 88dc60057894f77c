import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../store/stores.js';
import { createWorkingMemory, WORKING_MEMORY_HEADER } from './working-memory.js';
import type { WorkingMemoryOptions } from './working-memory.js';

describe('working memory', () => {
  let stores: Stores;
  let clock = 0;
  // One token per word keeps the budget arithmetic readable.
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  const scratchpad = (extra: Partial<WorkingMemoryOptions> = {}) =>
    createWorkingMemory({
      store: stores.memories,
      tenant: 'acme',
      taskId: 'task_1',
      maxTokens: 10,
      now: () => (clock += 1000),
      countTokens: words,
      ...extra,
    });

  beforeEach(() => {
    stores = openSqliteStores({ path: ':memory:' });
  });
  afterEach(async () => {
    await stores.close();
  });

  it('keeps notes in order and renders them as a block', async () => {
    const pad = scratchpad();
    await pad.add({ content: 'plan: outline first' });
    await pad.add({ content: 'outline done' });
    expect((await pad.notes()).map((n) => n.content)).toEqual(['plan: outline first', 'outline done']);
    expect(await pad.render()).toBe(`${WORKING_MEMORY_HEADER}\n- plan: outline first\n- outline done`);
    expect(await scratchpad({ taskId: 'task_2' }).render()).toBe('');
  });

  it('without a summariser, drops the least important notes first (oldest among equals), never the newest', async () => {
    const pad = scratchpad();
    await pad.add({ content: 'one two three four', importance: 0.9 });
    await pad.add({ content: 'five six seven', importance: 0.2 });
    await pad.add({ content: 'eight nine ten', importance: 0.5 });
    // 10 words: within budget.
    expect(await pad.notes()).toHaveLength(3);
    await pad.add({ content: 'eleven twelve thirteen', importance: 0.1 });
    // 13 words: the 0.2 note goes (the newest 0.1 note is kept).
    expect((await pad.notes()).map((n) => n.content)).toEqual([
      'one two three four',
      'eight nine ten',
      'eleven twelve thirteen',
    ]);
    const total = (await pad.notes()).reduce((sum, n) => sum + words(n.content), 0);
    expect(total).toBeLessThanOrEqual(10);
  });

  it('with a summariser, folds the oldest notes into one summary that keeps their highest importance', async () => {
    const calls: string[][] = [];
    const pad = scratchpad({
      summarise: async (notes) => {
        calls.push([...notes]);
        return 'summary of early notes';
      },
    });
    await pad.add({ content: 'alpha beta gamma', importance: 0.8 });
    await pad.add({ content: 'delta epsilon zeta', importance: 0.3 });
    await pad.add({ content: 'eta theta iota' });
    await pad.add({ content: 'kappa lambda mu' });
    expect(calls).toEqual([['alpha beta gamma', 'delta epsilon zeta']]);
    const notes = await pad.notes();
    expect(notes.map((n) => n.content)).toEqual([
      'summary of early notes',
      'eta theta iota',
      'kappa lambda mu',
    ]);
    expect(notes[0]).toMatchObject({
      importance: 0.8,
      tags: ['summary'],
      layer: 'working',
      taskId: 'task_1',
    });
  });

  it('falls back to dropping when a summary does not shrink the notes', async () => {
    const pad = scratchpad({ summarise: async (notes) => notes.join(' ') });
    for (const content of ['a b c d', 'e f g h', 'i j k l']) await pad.add({ content });
    const total = (await pad.notes()).reduce((sum, n) => sum + words(n.content), 0);
    expect(total).toBeLessThanOrEqual(10);
    expect((await pad.notes()).at(-1)?.content).toBe('i j k l');
  });
});
