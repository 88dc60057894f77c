// The shell tool runs real programs: allowlist, literal argv, clean environment, limits, process
// group kills, and (where bubblewrap works) the sandbox's network and file-system walls.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentdError } from '../../../core/errors.js';
import { until } from '../../../testing/until.js';
import type { ToolContext } from '../../define-tool.js';
import { createShellTool } from './shell-tool.js';
import { ShellToolConfigSchema } from './shell-tool-config.js';
import type { ShellToolConfig } from './shell-tool-config.js';
import { detectShellIsolation } from './shell-isolation.js';
import type { ShellIsolation } from './shell-isolation.js';

interface ShellOutput {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  isolated: boolean;
}

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function workspace(): { root: string; workspace: string } {
  const root = mkdtempSync(join(tmpdir(), 'agentd-shell-'));
  folders.push(root);
  const ws = join(root, 'workspace');
  mkdirSync(ws);
  return { root, workspace: ws };
}

function context(ws: string, signal = new AbortController().signal): ToolContext {
  return { taskId: 'task_1', workspace: ws, signal, now: () => 0 };
}

function config(overrides: Partial<ShellToolConfig>): ShellToolConfig {
  return ShellToolConfigSchema.parse({ enabled: true, ...overrides });
}

async function run(
  settings: Partial<ShellToolConfig>,
  input: unknown,
  ws: string,
  signal?: AbortSignal,
): Promise<ShellOutput> {
  const tool = createShellTool({ config: config(settings) });
  return (await tool.execute(tool.input.parse(input), context(ws, signal))) as unknown as ShellOutput;
}

async function rejection(promise: Promise<unknown>): Promise<AgentdError> {
  try {
    await promise;
  } catch (error) {
    return error as AgentdError;
  }
  throw new Error('expected a rejection');
}

/** Host pids whose command line contains `text` (the host sees every pid namespace's processes). */
function processesWith(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('shell tool without isolation', () => {
  const off = { isolation: 'off' as const };

  it('refuses a program that is not on the allowlist, before starting anything', async () => {
    const { workspace: ws } = workspace();
    writeFileSync(join(ws, 'keep.txt'), 'x');
    const error = await rejection(run({ ...off, allow: ['echo'] }, { argv: ['rm', '-rf', '.'] }, ws));
    expect(error.code).toBe('shell.program_not_allowed');
    expect(error.message).toContain("program 'rm' is not allowed; allowed: echo");
    expect(existsSync(join(ws, 'keep.txt'))).toBe(true);
    // A path to an allowed name is another program.
    expect((await rejection(run({ ...off, allow: ['echo'] }, { argv: ['/bin/echo', 'x'] }, ws))).code).toBe(
      'shell.program_not_allowed',
    );
    // Nothing is allowed by default.
    expect((await rejection(run(off, { argv: ['echo', 'x'] }, ws))).code).toBe('shell.program_not_allowed');
  });

  it('passes argv literally: no shell interprets `;`, `$VAR` or globs', async () => {
    const { workspace: ws } = workspace();
    writeFileSync(join(ws, 'canary'), 'alive');
    const out = await run({ ...off, allow: ['echo'] }, { argv: ['echo', 'hi; rm -rf /', '$HOME', '*'] }, ws);
    expect(out).toMatchObject({ exitCode: 0, stdout: 'hi; rm -rf / $HOME *\n', isolated: false });
    expect(readFileSync(join(ws, 'canary'), 'utf8')).toBe('alive');
    // A script is not even accepted as input unless shell syntax is allowed.
    const tool = createShellTool({ config: config({ ...off, allow: ['sh'] }) });
    expect(tool.input.safeParse({ script: 'echo hi; rm -rf /' }).success).toBe(false);
  });

  it('runs sh -c scripts only with allowShellSyntax and sh allowed', async () => {
    const { workspace: ws } = workspace();
    const denied = await rejection(
      run({ ...off, allow: ['echo'], allowShellSyntax: true }, { script: 'echo a | tr a b' }, ws),
    );
    expect(denied.code).toBe('shell.syntax_not_allowed');
    const out = await run(
      { ...off, allow: ['sh'], allowShellSyntax: true },
      { script: 'echo a | tr a b' },
      ws,
    );
    expect(out.stdout).toBe('b\n');
  });

  it('gives the program a clean environment: no API key of agentd’s, HOME is the workspace', async () => {
    const { workspace: ws } = workspace();
    const planted = 'sk-planted-shell-env-7f3a';
    process.env['OPENAI_API_KEY'] = planted;
    process.env['AGENTD_MASTER_KEY'] = planted;
    try {
      const out = await run({ ...off, allow: ['env'] }, { argv: ['env'] }, ws);
      expect(out.stdout).not.toContain(planted);
      const names = out.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('=')[0])
        .sort();
      expect(names).toEqual(['HOME', 'LANG', 'PATH']);
      expect(out.stdout).toContain(`HOME=${ws}\n`);
    } finally {
      delete process.env['OPENAI_API_KEY'];
      delete process.env['AGENTD_MASTER_KEY'];
    }
  });

  it('runs in the workspace', async () => {
    const { workspace: ws } = workspace();
    expect((await run({ ...off, allow: ['pwd'] }, { argv: ['pwd'] }, ws)).stdout).toBe(`${ws}\n`);
  });

  it('cuts output at the limit and says so', async () => {
    const { workspace: ws } = workspace();
    const out = await run(
      { ...off, allow: ['seq'], maxOutputBytes: 256 },
      { argv: ['seq', '1', '100000'] },
      ws,
    );
    expect(out.exitCode).toBe(0);
    expect(Buffer.byteLength(out.stdout)).toBe(256);
    expect(out.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(out.truncated).toEqual({ stdout: true, stderr: false });
  });

  it('kills the whole process group on timeout: the child and the grandchild it spawned', async () => {
    const { workspace: ws } = workspace();
    // The child starts a sleeping grandchild in the background, records both pids, then sleeps too.
    const out = await run(
      { ...off, allow: ['sh'], timeoutMs: 300 },
      { argv: ['sh', '-c', 'sleep 300 & echo $! > grandchild.pid; echo $$ > child.pid; sleep 300'] },
      ws,
    );
    expect(out.timedOut).toBe(true);
    expect(out.exitCode).toBeNull();
    const child = Number(readFileSync(join(ws, 'child.pid'), 'utf8'));
    const grandchild = Number(readFileSync(join(ws, 'grandchild.pid'), 'utf8'));
    expect(child).toBeGreaterThan(0);
    expect(grandchild).toBeGreaterThan(0);
    await until(() => !alive(child) && !alive(grandchild), { message: 'child and grandchild to be gone' });
  });

  it('kills the process group when the task is cancelled', async () => {
    const { workspace: ws } = workspace();
    const controller = new AbortController();
    const running = run(
      { ...off, allow: ['sh'], timeoutMs: 60_000 },
      { argv: ['sh', '-c', 'sleep 300 & echo $! > grandchild.pid; sleep 300'] },
      ws,
      controller.signal,
    );
    await until(
      () => existsSync(join(ws, 'grandchild.pid')) && readFileSync(join(ws, 'grandchild.pid'), 'utf8').trim(),
    );
    const grandchild = Number(readFileSync(join(ws, 'grandchild.pid'), 'utf8'));
    controller.abort(new Error('cancelled by test'));
    await expect(running).rejects.toThrow('cancelled by test');
    await until(() => !alive(grandchild), { message: 'the grandchild to be gone' });
  });

  it('refuses to run unisolated when isolation is required and unavailable', async () => {
    const { workspace: ws } = workspace();
    const tool = createShellTool({
      config: config({ allow: ['echo'], isolation: 'required' }),
      isolation: async (): Promise<ShellIsolation> => ({
        available: false,
        detail: 'bubblewrap is not installed',
      }),
    });
    const error = await rejection(tool.execute(tool.input.parse({ argv: ['echo', 'x'] }), context(ws)));
    expect(error.code).toBe('shell.isolation_unavailable');
    expect(error.message).toContain('bubblewrap is not installed');
  });

  it('asks for approval by default', () => {
    expect(createShellTool({ config: config({}) }).requiresApproval).toBe(true);
    expect(createShellTool({ config: config({ requiresApproval: false }) }).requiresApproval).toBe(false);
  });
});

describe('shell tool isolated with bubblewrap', async () => {
  const isolation = await detectShellIsolation();
  if (!isolation.available) {
    // Said loudly: a green run without these tests is not evidence of isolation.
    console.warn(`shell isolation tests SKIPPED: ${isolation.detail}`);
  }
  const bwrap = { isolation: 'required' as const };
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      // The client exits at once; its reset is expected.
      socket.on('error', () => undefined);
      socket.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  // Connects to the host's 127.0.0.1:port from inside; prints `connected` or the error code.
  const connect = (p: number) => [
    process.execPath,
    '-e',
    `require('net').connect(${p}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0) })` +
      `.on('error', (e) => { console.log(e.code); process.exit(3) })`,
  ];

  it.skipIf(!isolation.available)('blocks the network unless tools.shell.network is true', async () => {
    const { workspace: ws } = workspace();
    const blocked = await run({ ...bwrap, allow: [process.execPath] }, { argv: connect(port) }, ws);
    expect(blocked.isolated).toBe(true);
    expect(blocked.stdout.trim()).toBe('ECONNREFUSED');
    expect(blocked.exitCode).toBe(3);
    const open = await run(
      { ...bwrap, allow: [process.execPath], network: true },
      { argv: connect(port) },
      ws,
    );
    expect(open.stdout.trim()).toBe('connected');
  });

  it.skipIf(!isolation.available)('lets the workspace be written and nothing outside it', async () => {
    const { root, workspace: ws } = workspace();
    writeFileSync(join(root, 'outside-secret.txt'), 'host secret');
    const allow = ['sh'];
    const script = [
      'echo inside > inside.txt && echo wrote-inside',
      `echo x > ${root}/escape.txt 2>/dev/null; echo escape=$?`,
      'touch /usr/agentd-escape 2>/dev/null; echo usr=$?',
      'touch /etc/agentd-escape 2>/dev/null; echo etc=$?',
      `cat ${root}/outside-secret.txt 2>/dev/null; echo read=$?`,
      // A host folder outside /tmp (the project folder): not even visible inside.
      `touch ${process.cwd()}/agentd-escape-probe 2>/dev/null; echo cwd=$?`,
    ].join('; ');
    const out = await run({ ...bwrap, allow, allowShellSyntax: true }, { script }, ws);
    expect(out.isolated).toBe(true);
    expect(readFileSync(join(ws, 'inside.txt'), 'utf8')).toBe('inside\n');
    expect(out.stdout).toContain('wrote-inside');
    expect(out.stdout).not.toContain('host secret');
    expect(out.stdout).toMatch(/usr=[1-9]/);
    expect(out.stdout).toMatch(/etc=[1-9]/);
    expect(out.stdout).toMatch(/read=[1-9]/);
    expect(out.stdout).toMatch(/cwd=[1-9]/);
    expect(existsSync(join(process.cwd(), 'agentd-escape-probe'))).toBe(false);
    // The parent folder here is under /tmp, which is the sandbox's private tmpfs: the write may
    // succeed there, but nothing reaches the host outside the workspace.
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
    expect(existsSync('/usr/agentd-escape')).toBe(false);
    expect(existsSync('/etc/agentd-escape')).toBe(false);
  });

  it.skipIf(!isolation.available)('kills everything in the sandbox on timeout', async () => {
    const { workspace: ws } = workspace();
    const marker = `agentd-shell-marker-${process.pid}-${Date.now()}`;
    // A grandchild whose command line carries the marker, so the host can look for it in /proc.
    const out = await run(
      { ...bwrap, allow: ['sh'], timeoutMs: 300 },
      { argv: ['sh', '-c', `sh -c "sleep 300; echo ${marker}" & sleep 300`] },
      ws,
    );
    expect(out).toMatchObject({ timedOut: true, isolated: true });
    await until(() => processesWith(marker).length === 0, {
      message: () => `no process carrying the marker (left: ${processesWith(marker).join(', ')})`,
    });
  });
});
