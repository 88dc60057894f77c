import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../config/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { defineTool } from '../tools/index.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

let t: TestRuntime | undefined;
let extra: { runtime?: Runtime; dir?: string } = {};
afterEach(async () => {
  await t?.dispose();
  await extra.runtime?.close();
  if (extra.dir) rmSync(extra.dir, { recursive: true, force: true });
  t = undefined;
  extra = {};
});

function bareConfig(dir: string, text = '') {
  return loadConfig({
    env: { AGENTD_HOME: dir },
    files: text ? [{ path: 'agentd.yaml', text }] : [],
    cwd: dir,
    userHome: dir,
  });
}

describe('runtime options and behaviour', () => {
  it('lets a library user add tools that agents call like the built-in ones', async () => {
    const calls: unknown[] = [];
    const lookup = defineTool({
      name: 'lookup_tide',
      description: 'Tide height at a port',
      input: z.object({ port: z.string() }),
      execute: async (input) => {
        calls.push(input);
        return { port: input.port, metres: 4.2 };
      },
    });
    t = await createTestRuntime({
      script: [{ toolCalls: [{ toolName: 'lookup_tide', input: { port: 'Brest' } }] }, { text: 'high tide' }],
      runtime: { tools: [lookup] },
    });
    const result = await t.runtime.tasks.run({
      prompt: 'tide?',
      agent: { name: 'a', tools: ['lookup_tide'] },
    });
    expect(result).toMatchObject({ status: 'succeeded', toolCalls: 1 });
    expect(calls).toEqual([{ port: 'Brest' }]);
    expect(t.model.calls[1]?.promptText).toContain('"metres":4.2');
  });

  it('passes an agent temperature and output cap to the model', async () => {
    t = await createTestRuntime();
    await t.runtime.tasks.run({
      prompt: 'x',
      agent: { name: 'a', tools: [], temperature: 0.2, maxOutputTokens: 64 },
    });
    expect(t.model.calls[0]?.options).toMatchObject({ temperature: 0.2, maxOutputTokens: 64 });
  });

  it('fails a model call that exceeds agents.modelTimeoutMs with model.timeout', async () => {
    t = await createTestRuntime({
      script: [{ waitFor: 'forever' }],
      config: { agents: { modelTimeoutMs: 1000 } },
    });
    const result = await t.runtime.tasks.run({ prompt: 'hang' });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('model.timeout');
    expect(t.model.calls[0]?.options.abortSignal?.aborted).toBe(true);
  });

  it('marks a dry-run task simulated from the moment it is submitted', async () => {
    t = await createTestRuntime();
    const submitted = await t.runtime.tasks.submit({ prompt: 'x', model: 'simulated/dry-run' });
    expect(submitted.simulated).toBe(true);
    const done = await t.runtime.tasks.wait(submitted.id);
    expect(done.simulated).toBe(true);
  });

  it('keeps working when a configured provider cannot be built, failing only requests that use it', async () => {
    extra.dir = mkdtempSync(join(tmpdir(), 'agentd-opt-'));
    extra.runtime = await createRuntime({
      loadedConfig: bareConfig(
        extra.dir,
        'providers:\n  openai: {}\nmodels:\n  default: simulated/dry-run\nmemory:\n  embeddings: none\n',
      ),
      detectLocalServer: false,
    });
    expect(await extra.runtime.tasks.list()).toEqual([]);
    await expect(
      extra.runtime.tasks.submit({ prompt: 'x', model: 'openai/gpt-4o-mini' }),
    ).rejects.toMatchObject({
      code: 'config.invalid',
    });
    expect(await extra.runtime.tasks.list()).toEqual([]);
    expect((await extra.runtime.tasks.run({ prompt: 'x' })).status).toBe('succeeded');
  });

  it('adopts a task orphaned by another runtime while it keeps running (watch mode)', async () => {
    t = await createTestRuntime({
      script: [{ text: 'adopted' }],
      runtime: { heartbeatMs: 50, resume: true },
    });
    const orphaner = await createTestRuntime({ home: t.home, script: [{ waitFor: 'forever' }] });
    const submitted = await orphaner.runtime.tasks.submit({ prompt: 'x' });
    await until(() => orphaner.model.calls.length > 0, { message: "the orphaning runtime's model call" });
    await orphaner.runtime.close();
    const result = await t.runtime.tasks.wait(submitted.id);
    expect(result).toMatchObject({ status: 'succeeded', output: 'adopted' });
  });
});
