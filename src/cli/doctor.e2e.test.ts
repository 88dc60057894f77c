// e2e: the shell-isolation check runs bubblewrap, and unit tests start no child process.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { TestRuntimeOptions } from '../testing/test-runtime.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import { until } from '../testing/until.js';
import type { CliIo } from './cli-io.js';
import type { DoctorCheck } from './doctor-checks.js';
import { runCli } from './main.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(options: Parameters<typeof createTestRuntimeOptions>[0] = {}): TestRuntimeOptions {
  const built = createTestRuntimeOptions(options);
  cleanups.push(() => built.cleanup());
  return built;
}

async function doctor(
  env: TestRuntimeOptions,
  flags: string[] = [],
): Promise<{ code: number; checks: DoctorCheck[]; text: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  };
  const code = await runCli(['doctor', '--json', ...flags], { io, runtime: env.options });
  if (stdout === '') throw new Error(`agentd doctor printed nothing: ${stderr}`);
  let text = '';
  const plain: CliIo = { stdout: { write: (t: string) => (text += t) }, stderr: { write: () => undefined } };
  await runCli(['doctor', ...flags], { io: plain, runtime: env.options });
  return { code, checks: (JSON.parse(stdout) as { checks: DoctorCheck[] }).checks, text };
}

const byName = (checks: DoctorCheck[], name: string) => checks.find((check) => check.name === name);

describe('agentd doctor', () => {
  it('reports every check ok on a fresh home, with shell isolation stated either way', async () => {
    const env = setup();
    const { code, checks, text } = await doctor(env);
    expect(code).toBe(0);
    expect(checks.map((c) => c.name)).toEqual([
      'node',
      'config',
      'default model',
      'database',
      'home',
      'memory',
      'embeddings',
      'vector index',
      'shell isolation',
      'port',
      'interrupted tasks',
      'workspaces',
    ]);
    expect(byName(checks, 'database')).toMatchObject({
      level: 'ok',
      detail: expect.stringContaining('mode 600'),
    });
    expect(byName(checks, 'shell isolation')?.detail).toMatch(/bubblewrap|isolation/);
    expect(text).toMatch(/^ok +node: /m);
  });

  it('warns about a database other users can read and about interrupted tasks, and fails on a config problem', async () => {
    const first = setup({ script: [{ waitFor: 'forever' }] });
    const runtime = await createRuntime(first.options);
    const { id } = await runtime.tasks.submit({ prompt: 'never finishes' });
    await until(() => first.model.calls.length === 1, { message: 'the model call' });
    await runtime.close();
    chmodSync(join(first.home, 'agentd.db'), 0o644);

    const env = setup({ home: first.home, config: { server: { authToken: 'env:NOT_SET_ANYWHERE' } } });
    const { code, checks, text } = await doctor(env);
    expect(byName(checks, 'database')).toMatchObject({
      level: 'warn',
      fix: expect.stringContaining('chmod 600'),
    });
    expect(byName(checks, 'interrupted tasks')).toMatchObject({
      level: 'warn',
      detail: expect.stringContaining(id),
    });
    expect(byName(checks, 'config')).toMatchObject({
      level: 'fail',
      detail: expect.stringContaining('NOT_SET_ANYWHERE'),
    });
    expect(code).toBe(1);
    expect(text).toMatch(/^FAIL {2}config: /m);
    expect(text).toContain('fix: agentd tasks resume');
  });

  it('says which embedding model memory uses and whether sqlite-vec is loaded, with its version', async () => {
    const { checks } = await doctor(setup());
    expect(byName(checks, 'embeddings')).toMatchObject({
      level: 'ok',
      detail: expect.stringContaining('text only'),
    });
    const vector = byName(checks, 'vector index');
    // Either the extension with its version, or a warning that says why not and what to do.
    if (vector?.level === 'ok') expect(vector.detail).toMatch(/^sqlite-vec v\d/);
    else expect(vector).toMatchObject({ level: 'warn', fix: expect.stringContaining('sqlite-vec') });
  });
});

describe('agentd doctor: providers', () => {
  let fake: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const withLocal = (baseUrl: string, extra: Record<string, unknown> = {}) =>
    setup({ config: { providers: { lab: { type: 'openai-compatible', baseUrl, ...extra } } } });

  it('checks that a local server answers without calling a model; --live makes one 1-token call', async () => {
    fake = await startFakeOpenAIServer({ models: ['qwen-small'] });
    const env = withLocal(fake.baseUrl);

    const quiet = await doctor(env);
    expect(byName(quiet.checks, 'provider lab')).toMatchObject({
      level: 'ok',
      detail: expect.stringContaining('reachable, 1 models'),
    });
    expect(fake.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(0);

    const live = await doctor(env, ['--live']);
    expect(live.code).toBe(0);
    expect(byName(live.checks, 'provider lab')).toMatchObject({
      level: 'ok',
      detail: expect.stringMatching(/qwen-small answered in \d+ ms/),
    });
    const calls = fake.requests.filter((r) => r.path.endsWith('/chat/completions'));
    // Two runs of the doctor (JSON and text), one call each.
    expect(calls).toHaveLength(2);
    expect(calls[0]?.body).toMatchObject({ model: 'qwen-small' });
    expect(calls[0]?.body?.['max_tokens'] ?? calls[0]?.body?.['max_completion_tokens']).toBe(1);
  });

  it('loads and times a provider embedding model only with --live', async () => {
    fake = await startFakeOpenAIServer({ models: ['qwen-small'] });
    const env = setup({
      config: {
        providers: { lab: { type: 'openai-compatible', baseUrl: fake.baseUrl } },
        memory: { embeddings: { provider: 'lab', model: 'embed-small' } },
      },
    });
    const quiet = await doctor(env);
    expect(byName(quiet.checks, 'embeddings')?.detail).toContain('learned on first use');
    expect(fake.requests.filter((r) => r.path.endsWith('/embeddings'))).toHaveLength(0);

    const live = await doctor(env, ['--live']);
    expect(byName(live.checks, 'embeddings')).toMatchObject({
      level: 'ok',
      detail: expect.stringMatching(/loaded and embedded a text in \d+ ms/),
    });
    expect(fake.requests.filter((r) => r.path.endsWith('/embeddings')).length).toBeGreaterThan(0);
  });

  it('fails a provider whose key is refused (--live), and one whose server does not answer', async () => {
    fake = await startFakeOpenAIServer({ script: () => ({ status: 401, errorMessage: 'bad key' }) });
    const refused = await doctor(withLocal(fake.baseUrl, { apiKey: 'env:LAB_KEY' }), ['--live']);
    // LAB_KEY is unset: the variable is named, and nothing is sent.
    expect(byName(refused.checks, 'provider lab')).toMatchObject({
      level: 'fail',
      detail: expect.stringContaining('LAB_KEY is not set'),
      fix: expect.stringContaining('export LAB_KEY='),
    });
    expect(refused.code).toBe(1);

    const keyed = setup({
      env: { LAB_KEY: 'sk-test' },
      config: {
        providers: { lab: { type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: 'env:LAB_KEY' } },
      },
    });
    const rejected = await doctor(keyed, ['--live']);
    expect(byName(rejected.checks, 'provider lab')).toMatchObject({
      level: 'fail',
      fix: 'the key was refused: check it',
    });

    const closed = fake.baseUrl;
    await fake.close();
    fake = undefined;
    const down = await doctor(withLocal(closed));
    expect(byName(down.checks, 'provider lab')).toMatchObject({
      level: 'fail',
      detail: expect.stringContaining('not reachable'),
      fix: expect.stringContaining('ollama serve'),
    });
    expect(down.code).toBe(1);
    // --live gives the same fix: nothing answered, so the server is what to look at.
    const downLive = await doctor(withLocal(closed), ['--live']);
    expect(byName(downLive.checks, 'provider lab')).toMatchObject({
      level: 'fail',
      fix: expect.stringContaining('ollama serve'),
    });
  });
});
