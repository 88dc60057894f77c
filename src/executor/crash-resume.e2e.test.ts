import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/index.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import { until } from '../testing/until.js';

const root = resolve(import.meta.dirname, '../..');
/** tsx's loader by absolute URL, so the child can run TypeScript from any working directory. */
const tsxLoader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

/** The text of the last user message of a chat-completions request. */
function lastUserText(body: { messages?: { role: string; content?: unknown }[] } | undefined): string {
  const user = [...(body?.messages ?? [])].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}

describe('crash and resume', () => {
  let dir: string | undefined;
  let server: FakeOpenAIServer | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('resumes a SIGKILLed CLI task on the same database without re-running its completed steps', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-crash-'));
    let crashed = false;
    const fake = (server = await startFakeOpenAIServer({
      // Steps 1 and 2 answer; step 3 hangs until the process that asked is killed. After the
      // restart, the repeated step 3 answers.
      script: (_request, index) =>
        index === 0
          ? { text: 'one' }
          : index === 1
            ? { text: 'two' }
            : crashed
              ? { text: 'three' }
              : { hang: true },
    }));
    writeFileSync(
      join(dir, 'agentd.yaml'),
      [
        'providers:',
        '  local:',
        '    type: openai-compatible',
        `    baseUrl: ${server.baseUrl}`,
        'models:',
        '  default: local/m',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'team.yaml'),
      [
        'name: three-steps',
        'topology: sequential',
        'agents:',
        '  - name: first',
        '  - name: second',
        '  - name: third',
      ].join('\n'),
    );
    const home = join(dir, 'home');
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, AGENTD_HOME: home };

    const child = spawn(
      process.execPath,
      [
        '--import',
        tsxLoader,
        join(root, 'src/cli/run-main.ts'),
        'run',
        '--team',
        'team.yaml',
        'count to three',
      ],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_code, signal) => done(signal)),
    );

    await until(() => fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length >= 3, {
      timeoutMs: 15_000,
      message: () => `the child to reach step 3; stderr: ${stderr}`,
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    crashed = true;

    const configPath = join(dir, 'agentd.yaml');
    const config = loadConfig({
      env: { AGENTD_HOME: home },
      files: [{ path: configPath, text: readFileSync(configPath, 'utf8') }],
      cwd: dir,
      userHome: dir,
    });
    runtime = await createRuntime({
      loadedConfig: config,
      resume: true,
      detectLocalServer: false,
      maxRetries: 0,
    });
    const [task] = await runtime.tasks.list();
    expect(task).toBeDefined();
    const result = await runtime.tasks.wait(task?.id ?? '');

    expect(result).toMatchObject({ status: 'succeeded', output: 'three' });
    const chats = server.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(chats).toHaveLength(4);
    // Steps 1 and 2 were asked once each; only the interrupted step 3 was asked again.
    const prompts = chats.map((r) => lastUserText(r.body));
    expect(prompts.filter((p) => p.includes('step 1 of 3'))).toHaveLength(1);
    expect(prompts.filter((p) => p.includes('step 2 of 3'))).toHaveLength(1);
    expect(prompts.filter((p) => p.includes('step 3 of 3'))).toHaveLength(2);
    expect(prompts[3]).toContain('--- Output of second ---\ntwo');
    expect(result.modelCalls).toBe(3);
    // The call the kill cut short keeps its ledger row (interrupted, at its estimate).
    expect(result.interruptedCalls).toBe(1);
  });

  it('keeps a billed call the kill cut short in the ledger, at its estimate, and counts it on resume', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-crash-'));
    let crashed = false;
    const usage = { promptTokens: 1000, completionTokens: 500 };
    // Step 1 answers. Step 2's answer arrives whole, usage included (the provider billed it), but the
    // stream never ends: the process is killed between the provider's last byte and the settlement.
    const fake = (server = await startFakeOpenAIServer({
      script: (_request, index) =>
        index === 0
          ? { text: 'one', usage }
          : crashed
            ? { text: 'two', usage }
            : { text: 'two', usage, holdAfterUsage: true },
    }));
    writeFileSync(
      join(dir, 'agentd.yaml'),
      [
        'providers:',
        '  local:',
        '    type: openai-compatible',
        `    baseUrl: ${fake.baseUrl}`,
        'models:',
        '  default: local/m',
        '  catalog:',
        '    - id: local/m',
        '      inputPerMTok: 1',
        '      outputPerMTok: 2',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'team.yaml'),
      ['name: two-steps', 'topology: sequential', 'agents:', '  - name: first', '  - name: second'].join(
        '\n',
      ),
    );
    const home = join(dir, 'home');
    const child = spawn(
      process.execPath,
      [
        '--import',
        tsxLoader,
        join(root, 'src/cli/run-main.ts'),
        'run',
        '--team',
        'team.yaml',
        'count to two',
      ],
      { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir, AGENTD_HOME: home }, stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_code, signal) => done(signal)),
    );
    await until(() => fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length >= 2, {
      timeoutMs: 15_000,
      message: () => 'the child to reach step 2',
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    crashed = true;

    const configPath = join(dir, 'agentd.yaml');
    runtime = await createRuntime({
      loadedConfig: loadConfig({
        env: { AGENTD_HOME: home },
        files: [{ path: configPath, text: readFileSync(configPath, 'utf8') }],
        cwd: dir,
        userHome: dir,
      }),
      resume: true,
      detectLocalServer: false,
      maxRetries: 0,
    });
    const [task] = await runtime.tasks.list();
    const result = await runtime.tasks.wait(task?.id ?? '');
    expect(result).toMatchObject({ status: 'succeeded', output: 'two' });

    const stores = openSqliteStores({ path: join(home, 'agentd.db') });
    const rows = await stores.ledger.listByTask(task?.id ?? '').finally(() => stores.close());
    const billed = (1000 * 1 + 500 * 2) / 1_000_000;
    expect(rows.map((row) => [row.agent, row.status, row.source])).toEqual([
      ['first', 'settled', 'measured'],
      ['second', 'interrupted', 'estimated'],
      ['second', 'settled', 'measured'],
    ]);
    // The interrupted call is counted at what was held for it: its prompt's upper bound and the
    // output cap (4096 tokens by default), never less than what the provider billed.
    const interrupted = rows[1];
    expect(interrupted?.outputTokens).toBe(4096);
    expect(interrupted?.costUsd).toBeGreaterThan(billed);
    expect(result.modelCalls).toBe(2);
    expect(result.interruptedCalls).toBe(1);
    expect(result.cost.usd).toBeCloseTo(2 * billed + (interrupted?.costUsd ?? 0), 12);
  });

  it('resumes a SIGKILLed agentd run with agentd tasks resume, printing its result', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-crash-'));
    let crashed = false;
    const fake = (server = await startFakeOpenAIServer({
      script: (_request, index) =>
        index === 0
          ? { text: 'one' }
          : index === 1
            ? { text: 'two' }
            : crashed
              ? { text: 'three' }
              : { hang: true },
    }));
    writeFileSync(
      join(dir, 'agentd.yaml'),
      [
        'providers:',
        '  local:',
        '    type: openai-compatible',
        `    baseUrl: ${fake.baseUrl}`,
        'models:',
        '  default: local/m',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'team.yaml'),
      [
        'name: three-steps',
        'topology: sequential',
        'agents:',
        '  - name: first',
        '  - name: second',
        '  - name: third',
      ].join('\n'),
    );
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, AGENTD_HOME: join(dir, 'home') };
    const cli = (args: string[]) => {
      const child = spawn(
        process.execPath,
        ['--import', tsxLoader, join(root, 'src/cli/run-main.ts'), ...args],
        {
          cwd: dir,
          env,
          // No terminal on stdin: nothing may wait for an answer.
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const out = { stdout: '', stderr: '' };
      child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.on('exit', (code, signal) => done({ code, signal })),
      );
      return { child, out, exited };
    };

    const run = cli(['run', '--team', 'team.yaml', 'count to three']);
    await until(() => fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length >= 3, {
      timeoutMs: 15_000,
      message: () => `the child to reach step 3; stderr: ${run.out.stderr}`,
    });
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    crashed = true;

    const resumed = cli(['tasks', 'resume']);
    const { code } = await resumed.exited;
    expect(code, resumed.out.stderr).toBe(0);
    expect(resumed.out.stdout).toBe('three\n');
    expect(resumed.out.stderr).toMatch(/resuming task_\w+/);
    expect(resumed.out.stderr).toMatch(/task_\w+ · succeeded · 3 model calls/);
    const prompts = fake.requests
      .filter((r) => r.path.endsWith('/chat/completions'))
      .map((r) => lastUserText(r.body));
    expect(prompts).toHaveLength(4);
    expect(prompts.filter((p) => p.includes('step 3 of 3'))).toHaveLength(2);
  });
});
