import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';

describe('memory in the task trace', () => {
  let t: TestRuntime | undefined;
  afterEach(async () => {
    await t?.dispose();
  });

  it('shows recall, episode, facts and procedure as spans under the task, siblings in start order', async () => {
    t = await createTestRuntime({
      script: ({ index }) =>
        index === 0
          ? { text: 'The release of version 2 is planned for the 14th of March.' }
          : { text: 'Noted.' },
      config: { memory: { enabled: true } },
    });
    await t.runtime.tasks.run({ prompt: 'When is the version 2 release planned?' });
    const second = await t.runtime.tasks.run({
      prompt: 'Remind me: what date did we plan the version 2 release for?',
    });
    expect(second.status).toBe('succeeded');

    const spans = await t.runtime.tasks.spans(second.id);
    const root = spans.find((s) => s.kind === 'task');
    const memory = spans.filter((s) => s.kind === 'memory');
    expect(memory.map((s) => s.name)).toEqual(
      expect.arrayContaining(['memory.recall', 'memory.episode', 'memory.facts', 'memory.procedure']),
    );
    for (const span of memory) expect(span.parentSpanId).toBe(root?.spanId);
    const recall = memory.find((s) => s.name === 'memory.recall');
    expect(recall?.attributes['agentd.memory.recalled']).toBeGreaterThan(0);
    // Recall comes before the team's span, the episode after it.
    const children = spans.filter((s) => s.parentSpanId === root?.spanId);
    const names = children.map((s) => s.name);
    expect(names.indexOf('memory.recall')).toBeLessThan(names.findIndex((n) => n.startsWith('invoke_team')));
    expect(names.indexOf('memory.episode')).toBeGreaterThan(
      names.findIndex((n) => n.startsWith('invoke_team')),
    );
    const starts = children.map((s) => s.startTime);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  }, 60_000);
});
