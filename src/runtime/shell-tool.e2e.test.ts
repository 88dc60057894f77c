// The shell tool through the whole runtime: off unless the config enables it AND the agent lists
// it, and each call waits for a human's approval by default.
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../executor/index.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import type { Runtime } from './runtime.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Asks for `echo shell-ran` until it sees a tool result, then answers with what it saw. */
function shellScript(call: FakeCall): FakeTurn {
  const result = /shell-ran|"type":"error-text"/.exec(call.promptText);
  return result
    ? { text: `saw: ${result[0]}`, usage: { inputTokens: 10, outputTokens: 5 } }
    : {
        toolCalls: [{ toolName: 'shell', input: { argv: ['echo', 'shell-ran'] } }],
        usage: { inputTokens: 10, outputTokens: 5 },
      };
}

async function runtimeWith(shell: Record<string, unknown> | undefined): Promise<TestRuntime> {
  const t = await createTestRuntime({
    script: shellScript,
    config: shell ? { tools: { shell } } : {},
  });
  cleanups.push(() => t.dispose());
  return t;
}

function offeredTools(call: FakeCall | undefined): string[] {
  return (call?.options.tools ?? []).map((tool) => tool.name);
}

async function untilStatus(runtime: Runtime, id: string, status: TaskResult['status']): Promise<TaskResult> {
  let last: TaskResult | undefined;
  await until(async () => (last = await runtime.tasks.get(id)).status === status, {
    message: () => `task ${id} to become ${status} (it is ${last?.status ?? 'unknown'})`,
  });
  return last as TaskResult;
}

const WITH_SHELL = { name: 'operator', instructions: 'Run the command.', tools: ['shell'] };
const WITHOUT_SHELL = { name: 'writer', instructions: 'Answer.', tools: ['read_file'] };

describe('the shell tool in a runtime', () => {
  it('does not exist unless the config enables it, even for an agent that lists it', async () => {
    const t = await runtimeWith(undefined);
    await expect(t.runtime.tasks.submit({ prompt: 'run it', agent: WITH_SHELL })).rejects.toMatchObject({
      code: 'tool.not_found',
    });
    expect(t.model.calls).toHaveLength(0);
  });

  it('is not offered to an agent that does not list it, even when enabled', async () => {
    const t = await runtimeWith({ enabled: true, allow: ['echo'] });
    const submitted = await t.runtime.tasks.submit({ prompt: 'run it', agent: WITHOUT_SHELL });
    await t.runtime.tasks.wait(submitted.id);
    expect(offeredTools(t.model.calls[0])).toEqual(['read_file']);
  });

  it('enabled and listed: offered, and each call waits for approval before it runs', async () => {
    const t = await runtimeWith({ enabled: true, allow: ['echo'], isolation: 'off' });
    const submitted = await t.runtime.tasks.submit({ prompt: 'run it', agent: WITH_SHELL });
    const waiting = await untilStatus(t.runtime, submitted.id, 'waiting');
    expect(offeredTools(t.model.calls[0])).toEqual(['shell']);
    const review = waiting.reviews?.[0];
    expect(review).toMatchObject({ kind: 'tool-approval' });
    expect(review?.question).toContain('shell with {"argv":["echo","shell-ran"]}');
    await t.runtime.reviews.answer(review?.id ?? '', { decision: 'approve', note: null, payload: null });
    const result = await t.runtime.tasks.wait(submitted.id);
    expect(result).toMatchObject({ status: 'succeeded', output: 'saw: shell-ran' });
  });

  it('runs without a review when approval is turned off', async () => {
    const t = await runtimeWith({
      enabled: true,
      allow: ['echo'],
      requiresApproval: false,
      isolation: 'off',
    });
    const submitted = await t.runtime.tasks.submit({ prompt: 'run it', agent: WITH_SHELL });
    const result = await t.runtime.tasks.wait(submitted.id);
    expect(result).toMatchObject({ status: 'succeeded', output: 'saw: shell-ran' });
  });
});
