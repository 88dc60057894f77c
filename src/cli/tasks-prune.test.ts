import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { TestRuntimeOptions } from '../testing/test-runtime.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';

const DAY = 86_400_000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Options whose runtime clock reads `clock.at`, so tasks can be made old. */
function setup(clock: { at: number }): TestRuntimeOptions {
  const built = createTestRuntimeOptions({
    script: [
      { toolCalls: [{ toolName: 'write_file', input: { path: 'a.txt', content: 'x'.repeat(2048) } }] },
      { text: 'Done.' },
    ],
    runtime: { clock: { now: () => clock.at } },
  });
  cleanups.push(() => built.cleanup());
  return built;
}

async function cli(env: TestRuntimeOptions, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(argv, { io, runtime: env.options });
  return { code, stdout, stderr };
}

describe('agentd tasks prune and delete', () => {
  it('lists in a dry run, then deletes old finished tasks and prints a summary', async () => {
    const clock = { at: Date.UTC(2026, 0, 1) };
    const env = setup(clock);
    const runtime = await createRuntime(env.options);
    const old = await runtime.tasks.run({
      prompt: 'Old report',
      agent: { name: 'w', tools: ['write_file'] },
    });
    await runtime.close();
    clock.at += 40 * DAY;

    const dry = await cli(env, ['tasks', 'prune', '--older-than', '30d', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(old.id);
    expect(dry.stdout).toContain(
      'dry run: would delete 1 finished task older than 30d, freeing 2.0 KB of workspaces; nothing was deleted',
    );

    const pruned = await cli(env, ['tasks', 'prune', '--older-than', '30d']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toBe('deleted 1 finished task older than 30d, freed 2.0 KB of workspaces\n');

    const again = await cli(env, ['tasks', 'prune', '--older-than', '30d', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ removed: 0, bytesFreed: 0, tasks: [] });
  });

  it('refuses a duration it cannot read, naming the format', async () => {
    const env = setup({ at: Date.now() });
    const bad = await cli(env, ['tasks', 'prune', '--older-than', '30 days']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--older-than: .*90m, 12h, 30d or 2w/);
    const zero = await cli(env, ['tasks', 'prune', '--older-than', '0d']);
    expect(zero.stderr).toContain('--older-than: must be more than 0 (e.g. 1m)');
  });

  it('deletes one finished task, and refuses an unknown one', async () => {
    const env = setup({ at: Date.now() });
    const runtime = await createRuntime(env.options);
    const task = await runtime.tasks.run({ prompt: 'Report', agent: { name: 'w', tools: ['write_file'] } });
    await runtime.close();

    const deleted = await cli(env, ['tasks', 'delete', task.id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`deleted ${task.id} (succeeded), freed 2.0 KB\n`);
    const missing = await cli(env, ['tasks', 'delete', task.id]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('not found');
  });
});
