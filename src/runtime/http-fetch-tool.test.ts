// The runtime registers http_fetch with the guard of `security.net`; an agent has it only when its
// spec lists it, and a refusal reaches the model as a tool error. The URLs here are refused before
// any lookup or connection, so nothing leaves the process.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe('http_fetch in the runtime', () => {
  it('is offered only to an agent whose spec lists it', async () => {
    t = await createTestRuntime({ script: [{ text: 'a' }, { text: 'b' }] });
    await t.runtime.tasks.run({ prompt: 'hi' });
    await t.runtime.tasks.run({ prompt: 'hi', agent: { name: 'reader', tools: ['http_fetch'] } });
    expect(t.model.calls[0]?.options.tools?.map((tool) => tool.name)).not.toContain('http_fetch');
    expect(t.model.calls[1]?.options.tools?.map((tool) => tool.name)).toEqual(['http_fetch']);
  });

  it('refuses the metadata address and tells the model why, without failing the task', async () => {
    t = await createTestRuntime({
      script: [
        {
          toolCalls: [{ toolName: 'http_fetch', input: { url: 'http://[::ffff:169.254.169.254]/latest/' } }],
        },
        { text: 'could not fetch it' },
      ],
    });
    const result = await t.runtime.tasks.run({
      prompt: 'read the metadata',
      agent: { name: 'reader', tools: ['http_fetch'] },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'could not fetch it', toolCalls: 1 });
    expect(t.model.calls[1]?.promptText).toContain('net.blocked');
    // The reason reaches the model; the address itself is masked, as IP addresses are by default in
    // prompts to a hosted model (security.pii.prompts).
    expect(t.model.calls[1]?.promptText).toContain('cloud metadata address');
  });

  it('follows security.net: a port the config does not allow is refused', async () => {
    t = await createTestRuntime({
      config: { security: { net: { ports: [443] } } },
      script: [
        { toolCalls: [{ toolName: 'http_fetch', input: { url: 'http://93.184.216.34/' } }] },
        { text: 'ok' },
      ],
    });
    await t.runtime.tasks.run({ prompt: 'x', agent: { name: 'reader', tools: ['http_fetch'] } });
    expect(t.model.calls[1]?.promptText).toContain('port 80 is not allowed (allowed: 443)');
  });
});
