import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

let extra: { runtime?: Runtime; server?: FakeOpenAIServer; dir?: string } = {};
afterEach(async () => {
  await extra.runtime?.close();
  await extra.server?.close();
  if (extra.dir) rmSync(extra.dir, { recursive: true, force: true });
  extra = {};
});

/** No configuration but text-only memory (the offline embedding model is not what this is about). */
function bareConfig(dir: string) {
  return loadConfig({
    env: { AGENTD_HOME: dir },
    files: [{ path: 'agentd.yaml', text: 'memory:\n  embeddings: none\n' }],
    cwd: dir,
    userHome: dir,
  });
}

describe('a runtime with no configured provider', () => {
  it('detects a local OpenAI-compatible server, preferring a chat model over an embedding model', async () => {
    extra.dir = mkdtempSync(join(tmpdir(), 'agentd-opt-'));
    extra.server = await startFakeOpenAIServer({
      models: ['nomic-embed-text:latest', 'llama3.2:latest'],
      script: [{ text: 'local hello' }],
    });
    extra.runtime = await createRuntime({
      loadedConfig: bareConfig(extra.dir),
      detectLocalServer: { baseUrls: [extra.server.baseUrl] },
    });
    expect(extra.runtime.models.defaultModel).toBe('ollama/llama3.2:latest');
    expect(extra.runtime.models.notice).toBeUndefined();
    const listed = extra.runtime.models
      .list()
      .filter((m) => m.provider === 'ollama')
      .map((m) => [m.id, m.available, m.known]);
    expect(listed).toEqual([
      ['ollama/llama3.2:latest', true, false],
      ['ollama/nomic-embed-text:latest', true, false],
    ]);
    const result = await extra.runtime.tasks.run({ prompt: 'hi' });
    expect(result).toMatchObject({ status: 'succeeded', output: 'local hello', simulated: false });
  });
});
