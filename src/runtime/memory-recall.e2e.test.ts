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
    const first = await t.runtime.runTask({ prompt: 'When is the version 2 release planned?' });
    expect(first.status).toBe('succeeded');
    const second = await t.runtime.runTask({
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

  it('recalls nothing when memory is off and leaves no episode', async () => {
    t = await createTestRuntime({
      script: [{ text: 'one' }, { text: 'two' }],
      config: { memory: { enabled: false } },
    });
    await t.runtime.runTask({ prompt: 'When is the version 2 release planned?' });
    await t.runtime.runTask({ prompt: 'When is the version 2 release planned?' });
    expect(t.model.calls.map((call) => call.promptText).join('\n')).not.toContain(RECALL_HEADER);
  });

  it('records a failed task’s episode with its error code', async () => {
    t = await createTestRuntime({
      script: ({ index }) =>
        index === 0 ? { error: new Error('provider exploded') } : { text: 'recovered' },
      config: { memory: { enabled: true, embeddings: 'none' } },
    });
    const failed = await t.runtime.runTask({ prompt: 'Summarise the quarterly report' });
    expect(failed.status).toBe('failed');
    await t.runtime.runTask({ prompt: 'Summarise the quarterly report again' });
    const prompt = t.model.calls.at(-1)?.promptText ?? '';
    expect(prompt).toContain(RECALL_HEADER);
    expect(prompt).toMatch(/Task "Summarise the quarterly report".*failed \(model\.call_failed\)/);
  });
});
