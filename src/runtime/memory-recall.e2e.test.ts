import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECALL_HEADER } from '../memory/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';

describe('memory through the runtime: every task leaves an episode, the next task recalls it', () => {
  let t: TestRuntime | undefined;
  afterEach(async () => {
    await t?.dispose();
  });

  it('puts the recalled episode of an earlier task into the prompt the model receives', async () => {
    t = await createTestRuntime({
      script: ({ index }) =>
        index === 0
          ? { text: 'The release of version 2 is planned for the 14th of March.' }
          : { text: 'Noted.' },
      config: { memory: { enabled: true } },
    });
    const first = await t.runtime.tasks.run({ prompt: 'When is the version 2 release planned?' });
    expect(first.status).toBe('succeeded');
    const second = await t.runtime.tasks.run({
      prompt: 'Remind me: what date did we plan the version 2 release for?',
    });
    expect(second.status).toBe('succeeded');

    const prompts = t.model.calls.map((call) => call.promptText);
    expect(prompts[0]).not.toContain(RECALL_HEADER);
    expect(prompts[1]).toContain(RECALL_HEADER);
    // The episode names the earlier task and carries its answer.
    expect(prompts[1]).toContain('When is the version 2 release planned?');
    expect(prompts[1]).toContain('planned for the 14th of March');
    // The task itself follows the recalled block.
    expect(prompts[1]).toMatch(/Recalled memory[\s\S]*\n\nRemind me: what date/);
  }, 60_000);

  it('recalls nothing when memory is off, and writes no memory of any layer nor a memory step', async () => {
    t = await createTestRuntime({
      script: [{ text: 'one' }, { text: 'two' }],
      config: { memory: { enabled: false } },
    });
    const first = await t.runtime.tasks.run({ prompt: 'When is the version 2 release planned?' });
    const second = await t.runtime.tasks.run({ prompt: 'When is the version 2 release planned?' });
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    expect(t.model.calls).toHaveLength(2);
    expect(t.model.calls.map((call) => call.promptText).join('\n')).not.toContain(RECALL_HEADER);

    // Nothing was written to memory, in any layer (episodes, facts, procedures, working notes), and
    // no memory step ran: checked on the database itself, not through memory search.
    const db = new Database(join(t.home, 'agentd.db'), { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(count('SELECT COUNT(*) AS n FROM memories')).toBe(0);
      expect(count('SELECT COUNT(*) AS n FROM procedures')).toBe(0);
      const steps = db.prepare('SELECT task_id, key, name FROM steps').all() as {
        task_id: string;
        key: string;
        name: string;
      }[];
      // Both tasks were journaled (so an empty list would not pass for the wrong reason) …
      expect(new Set(steps.map((step) => step.task_id))).toEqual(new Set([first.id, second.id]));
      // … and none of their steps (nor a step nested in a memory scope) is a memory step.
      expect(
        steps.filter((step) => step.name.startsWith('memory:') || step.key.startsWith('memory:')),
      ).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('records a failed task’s episode with its error code', async () => {
    t = await createTestRuntime({
      script: ({ index }) =>
        index === 0 ? { error: new Error('provider exploded') } : { text: 'recovered' },
      config: { memory: { enabled: true, embeddings: 'none' } },
    });
    const failed = await t.runtime.tasks.run({ prompt: 'Summarise the quarterly report' });
    expect(failed.status).toBe('failed');
    await t.runtime.tasks.run({ prompt: 'Summarise the quarterly report again' });
    const prompt = t.model.calls.at(-1)?.promptText ?? '';
    expect(prompt).toContain(RECALL_HEADER);
    expect(prompt).toMatch(/Task "Summarise the quarterly report".*failed \(model\.call_failed\)/);
  });
});
