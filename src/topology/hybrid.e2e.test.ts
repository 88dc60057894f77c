import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/index.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeChatRequestBody, FakeOpenAIServer } from '../testing/fake-openai-server.js';

// Values each detector must catch; none of them may reach the non-local provider.
const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const PII = [EMAIL, CARD, IBAN, '4111111111111111', 'DE89370400440532013000'];

/** The last user message text of a chat-completions request. */
function lastUserText(body: FakeChatRequestBody | undefined): string {
  const user = [...(body?.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (typeof user?.content === 'string') return user.content;
  return (user?.content ?? []).map((part) => part.text ?? '').join('');
}

describe('hybrid topology against real OpenAI-protocol servers', () => {
  let home: string;
  let cloud: FakeOpenAIServer;
  let onPremises: FakeOpenAIServer;
  let runtime: Runtime | undefined;

  afterEach(async () => {
    await runtime?.close();
    await cloud.close();
    await onPremises.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function start(): Promise<Runtime> {
    home = mkdtempSync(join(tmpdir(), 'agentd-hybrid-'));
    // The cloud model echoes what it was sent, so placeholders in its answer must be unmasked.
    cloud = await startFakeOpenAIServer({
      script: (request) => ({ text: `echo: ${lastUserText(request.body)}` }),
    });
    onPremises = await startFakeOpenAIServer({ script: () => ({ text: 'handled on premises' }) });
    const config = loadConfig({
      env: { AGENTD_HOME: home },
      files: [],
      cwd: home,
      userHome: home,
      overrides: {
        providers: {
          // Both fakes listen on loopback; `local` says which one stands for a hosted service.
          cloud: { type: 'openai-compatible', baseUrl: cloud.baseUrl, local: false },
          onprem: { type: 'openai-compatible', baseUrl: onPremises.baseUrl, local: true },
        },
        models: {
          default: 'cloud/big',
          catalog: [
            { id: 'cloud/big', inputPerMTok: 3, outputPerMTok: 15 },
            { id: 'onprem/small', inputPerMTok: 0, outputPerMTok: 0 },
          ],
        },
      },
    });
    runtime = await createRuntime({ loadedConfig: config, detectLocalServer: false, maxRetries: 0 });
    return runtime;
  }

  const team = (mode: 'local' | 'mask') => ({
    name: 'private',
    topology: 'hybrid' as const,
    options: { inner: 'sequential', mode },
    agents: [
      { name: 'clerk', role: 'a billing clerk', tools: [] },
      { name: 'reviewer', role: 'a reviewer', tools: [] },
    ],
  });

  it('masks every detected PII value before the non-local model and unmasks its answer', async () => {
    const rt = await start();
    const prompt = `Refund ${EMAIL}: card ${CARD}, IBAN ${IBAN}.`;
    const result = await rt.tasks.run({ prompt, team: team('mask') });
    expect(result.status, JSON.stringify(result.error)).toBe('succeeded');

    const chats = cloud.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(chats).toHaveLength(2);
    for (const request of chats) {
      const body = JSON.stringify(request.body);
      for (const value of PII) expect(body).not.toContain(value);
      expect(body).toContain('⟦EMAIL_1⟧');
    }
    // The echo came back with placeholders; the user sees the original values again.
    expect(result.output).toContain(EMAIL);
    expect(result.output).toContain(CARD);
    expect(onPremises.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(0);
    expect(result.details).toMatchObject({ mode: 'mask', policy: { masked: 2, rerouted: 0 } });
  });

  it('sends sensitive steps only to the local model in local mode', async () => {
    const rt = await start();
    const result = await rt.tasks.run({ prompt: `Email ${EMAIL} about the refund.`, team: team('local') });
    expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    expect(cloud.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(0);
    const local = onPremises.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(local).toHaveLength(2);
    expect(local.every((r) => r.body?.model === 'small')).toBe(true);
    expect(result.output).toBe('handled on premises');
  });

  it('leaves calls without sensitive input on the configured model', async () => {
    const rt = await start();
    const result = await rt.tasks.run({ prompt: 'Summarise our refund policy.', team: team('local') });
    expect(result.status).toBe('succeeded');
    expect(cloud.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(2);
    expect(onPremises.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(0);
  });
});
