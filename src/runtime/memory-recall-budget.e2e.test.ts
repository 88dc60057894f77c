import { afterEach, describe, expect, it } from 'vitest';
import { RECALL_HEADER } from '../memory/index.js';
import { createFakeProvidersRuntime } from '../testing/fake-providers-runtime.js';
import type { FakeProvidersRuntime } from '../testing/fake-providers-runtime.js';
import type { FakeChatRequestBody } from '../testing/fake-openai-server.js';

const SHARE = 0.5;
const RUNS = 25;
const PROMPT = 'Summarise the release plan for version 2 of the billing service.';

/** The text of a chat message's content, whichever form the client sent it in. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : '',
    )
    .join('');
}

/** A request's input as characters: every message's text and the tools' schemas. */
function inputChars(body: FakeChatRequestBody): number {
  const messages = (body.messages ?? []).reduce(
    (sum, message) => sum + contentText(message.content).length,
    0,
  );
  return messages + (body.tools ? JSON.stringify(body.tools).length : 0);
}

describe('recalled memory is budgeted as a share of the agent’s expected input', () => {
  let t: FakeProvidersRuntime | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('keeps the first call of the same task within the share over 25 runs, and reports recall tokens', async () => {
    t = await createFakeProvidersRuntime({
      providers: [
        {
          name: 'p',
          script: () => ({ text: 'Version 2 of the billing service ships on the 14th of March.' }),
          price: [1, 2],
        },
      ],
      config: { memory: { enabled: true, embeddings: 'none', recall: { share: SHARE } } },
    });
    const results = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await t.runtime.tasks.run({ prompt: PROMPT });
      expect(result.status).toBe('succeeded');
      results.push(result);
    }
    const chats = (t.servers.p?.requests ?? []).filter((r) => r.path === '/v1/chat/completions');
    // One call per task (the fake answers at once, no tools): each is that task's first call.
    expect(chats).toHaveLength(RUNS);
    const firsts = chats.map((request) => request.body as FakeChatRequestBody);
    const base = inputChars(firsts[0] as FakeChatRequestBody);
    expect(JSON.stringify(firsts[0]?.messages)).not.toContain(RECALL_HEADER);
    for (const [i, body] of firsts.entries()) {
      const chars = inputChars(body);
      // Within the share, counted in the same characters as the budget (4 a token).
      expect(Math.ceil(chars / 4), `run ${i + 1}`).toBeLessThanOrEqual(Math.floor((base / 4) * (1 + SHARE)));
      // The result reports what recall added: the block (its tokens), before a blank line.
      const added = chars - base;
      const memory = results[i]?.memory;
      expect(memory).toBeDefined();
      expect(memory?.recallTokens).toBe(added === 0 ? 0 : Math.ceil((added - 2) / 4));
    }
    // Later runs did recall (so the bound is not met by recalling nothing) …
    const last = results.at(-1)?.memory;
    expect(last?.recalled).toBeGreaterThan(0);
    expect(JSON.stringify(firsts.at(-1)?.messages)).toContain(RECALL_HEADER);
    // … and did not grow past the first run that recalled: the budget holds however much piles up.
    const recallTokens = results.map((r) => r.memory?.recallTokens ?? 0);
    expect(Math.max(...recallTokens)).toBeLessThanOrEqual((base / 4) * SHARE);
    expect(recallTokens[0]).toBe(0);
  }, 120_000);

  it('skips recall when nothing clears the relevance gate: no block, zero recall tokens', async () => {
    t = await createFakeProvidersRuntime({
      providers: [{ name: 'p', script: () => ({ text: 'Done.' }), price: [1, 2] }],
      config: { memory: { enabled: true, embeddings: 'none' } },
    });
    await t.runtime.tasks.run({ prompt: PROMPT });
    const unrelated = await t.runtime.tasks.run({ prompt: 'What colour is a flamingo?' });
    expect(unrelated.memory).toEqual({ recalled: 0, recallTokens: 0 });
    const chats = (t.servers.p?.requests ?? []).filter((r) => r.path === '/v1/chat/completions');
    expect(JSON.stringify(chats.at(-1)?.body)).not.toContain(RECALL_HEADER);
  }, 60_000);
});
