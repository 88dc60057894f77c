import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';

// Working notes live in the shared memory store (layer `working`, scoped to their task). The task
// needs the values it noted while it runs; once it ends, its notes follow security.pii.memory like
// every other memory.
const EMAIL = 'jane.roe@example.com';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function runWithNote(policy?: 'mask' | 'drop' | 'keep') {
  t = await createTestRuntime({
    script: ({ index }) =>
      [
        { toolCalls: [{ toolName: 'notes', input: { action: 'add', text: `Customer contact: ${EMAIL}` } }] },
        { toolCalls: [{ toolName: 'notes', input: { action: 'read' } }] },
        { text: 'Done.' },
      ][index] ?? { text: 'ok' },
    // The fake model stands for a hosted one: prompts: allow lets the note's value reach it.
    config: {
      memory: { embeddings: 'none' },
      security: { pii: { prompts: 'allow', ...(policy ? { memory: policy } : {}) } },
    },
  });
  const task = await t.runtime.tasks.run({
    prompt: 'Note the contact',
    agent: { name: 'clerk', tools: ['notes'] },
  });
  expect(task.status).toBe('succeeded');
  // While it ran, the agent read its note back with the value.
  expect(t.model.calls[2]?.promptText).toContain(EMAIL);
  const notes = await t.runtime.memory.search({
    text: 'customer contact',
    layers: ['working'],
    taskId: task.id,
    limit: 5,
  });
  return notes.map((n) => n.memory.content);
}

describe("a task's working notes after it ends", () => {
  it('are masked by default', async () => {
    expect(await runWithNote()).toEqual(['Customer contact: [EMAIL_1]']);
  });

  it('are dropped under drop, and kept under keep', async () => {
    expect(await runWithNote('drop')).toEqual([]);
    await t?.dispose();
    t = undefined;
    expect(await runWithNote('keep')).toEqual([`Customer contact: ${EMAIL}`]);
  });
});
