import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TaskResult } from '../executor/index.js';
import { BIN, ensureFreshBundle, ROOT } from '../testing/fresh-bundle.js';
import { until } from '../testing/until.js';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

function runProcess(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Finished> {
  return collect(spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }));
}

let sandbox: string;

/** The environment of a user with no provider configured: no API keys, no agentd settings, a fresh home. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/_API_KEY$/.test(name) || name.startsWith('AGENTD_')) continue;
    env[name] = value;
  }
  env['AGENTD_HOME'] = join(sandbox, 'home');
  return env;
}

/** A port that was free a moment ago: listen on 0, note the port, close. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

const children: ChildProcess[] = [];

beforeAll(async () => {
  await ensureFreshBundle();
}, 120_000);

beforeAll(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'agentd-bin-test-'));
});

afterEach(() => {
  // A failed test must not leave a server running.
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

describe('bin/agentd.js', () => {
  it('runs a task on the simulated model when no provider is configured, and says so', async () => {
    const run = await runProcess([BIN, 'run', 'Write a haiku about tides'], {
      cwd: sandbox,
      env: cleanEnv(),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith('[simulated]')).toBe(true);
    expect(run.stdout).toContain('tides');
    const notices = run.stderr.split('\n').filter((line) => line.includes('No model provider configured'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('OPENAI_API_KEY');
    expect(run.stderr).toMatch(/\[simulated\] task_\S+ · succeeded · 1 model call/);
  });

  it('prints the version of package.json with --version or -V, the bundle’s and its own alike', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runProcess([BIN, flag], { cwd: sandbox, env: cleanEnv() });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
    // Among other arguments the flag goes to the bundle, which answers the same.
    const bundled = await runProcess([BIN, '--version', '--help'], { cwd: sandbox, env: cleanEnv() });
    expect(bundled.stdout).toBe(`${version}\n`);
  });

  it('redacts standard input with `agentd redact -`', async () => {
    const child = spawn(process.execPath, [BIN, 'redact', '-'], {
      cwd: sandbox,
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const finished = collect(child);
    child.stdin?.end('Mail ana@example.org, key AKIAIOSFODNN7EXAMPLE.\n');
    const run = await finished;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('Mail [EMAIL_1], key [SECRET_KEY_1].\n');
  });

  it('lists a problem that stops the runtime from starting on stdout too (config check)', async () => {
    const dir = mkdtempSync(join(sandbox, 'config-'));
    // A local server that serves no model agentd can find: no default model, no runtime.
    writeFileSync(
      join(dir, 'agentd.yaml'),
      'providers:\n  local:\n    type: openai-compatible\n    baseUrl: http://127.0.0.1:9/v1\n',
    );
    const run = await runProcess([BIN, 'config', 'check', '--json'], { cwd: dir, env: cleanEnv() });
    expect(run.code).toBe(2);
    const { problems } = JSON.parse(run.stdout) as { problems: string[] };
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("no default model for provider 'local'");
  });

  it.runIf(existsSync('/proc/self'))(
    'fails at once, naming the folder, when AGENTD_HOME cannot be created',
    async () => {
      const run = await runProcess([BIN, 'tasks', 'list'], {
        cwd: sandbox,
        env: { ...cleanEnv(), AGENTD_HOME: '/proc/agentd-nope' },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('cannot create the folder /proc/agentd-nope');
      expect(run.stderr).toContain('AGENTD_HOME');
    },
  );

  it('exits quietly when the reader of its output goes away (`agentd tasks list | true`)', async () => {
    const child = spawn(process.execPath, [BIN, 'tasks', 'list'], {
      cwd: sandbox,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader closes its end before agentd writes a line.
    child.stdout.destroy();
    const run = await collect(child);
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled 'error' event|at /);
    expect(run.code).toBe(0);
  });

  it('exits 2 when run is given no prompt', async () => {
    const run = await runProcess([BIN, 'run'], { cwd: sandbox, env: cleanEnv() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('prompt');
    expect(run.stdout).toBe('');
  });

  it('serves the HTTP API until SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
      cwd: sandbox,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = collect(child);
    const base = `http://127.0.0.1:${port}`;

    const state = await until(
      async () =>
        child.exitCode !== null
          ? 'exited'
          : await fetch(`${base}/v1/health`).then(
              (res) => res.ok && 'healthy',
              () => false,
            ),
      { timeoutMs: 15_000, message: 'the server to answer /v1/health' },
    );
    expect(state, 'the server exited instead of answering /v1/health').toBe('healthy');

    const res = await fetch(`${base}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Write a haiku about tides' }),
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as TaskResult;
    expect(result).toMatchObject({ status: 'succeeded', simulated: true, modelCalls: 1 });
    expect(result.output?.startsWith('[simulated]')).toBe(true);

    child.kill('SIGTERM');
    const finished = await exited;
    expect(finished.signal).toBeNull();
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toContain(`listening on http://127.0.0.1:${port}`);
    expect(finished.stderr).toContain('shutting down');
  });
});
