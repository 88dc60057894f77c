import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { CheckSpecSchema } from './check-spec.js';
import type { CheckSpecInput } from './check-spec.js';
import { checkIssues, checksPassed, runChecks } from './checks.js';

// `command` checks run real programs (node), so they are end-to-end; the checks decided without
// running anything are in checks.test.ts.
const spec = (input: CheckSpecInput) => CheckSpecSchema.parse(input);

/** A node program that writes its pid to `file` and then never ends on its own. */
const FOREVER = (file: string) =>
  `require('fs').writeFileSync(${JSON.stringify(file)}, String(process.pid)); setInterval(() => {}, 1000)`;

/** Whether process `pid` still runs; a zombie (ended, not yet reaped by its parent) does not. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  const stat = `/proc/${pid}/stat`;
  // Where there is no /proc, signal 0 is all there is to go by.
  return !existsSync(stat) || !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
}

/** The pid a FOREVER program wrote, once it has written it. */
const pidIn = (file: string) =>
  until(() => existsSync(file) && Number(readFileSync(file, 'utf8')), {
    message: `a pid in ${file}`,
  });

describe('command checks', () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'agentd-checks-'));
    mkdirSync(join(workspace, 'src'));
    writeFileSync(join(workspace, 'src', 'index.ts'), 'export {};\n');
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
  });

  const command = (argv: string[], extra: { timeoutMs?: number; cwd?: string } = {}) =>
    runChecks({
      output: '',
      checks: [spec({ type: 'command', argv, ...extra })],
      workspace,
      allowedCommands: ['node'],
    });

  it('passes on exit 0, run in the workspace', async () => {
    const [result] = await command(['node', '-e', "require('fs').accessSync('src/index.ts')"]);
    expect(result).toMatchObject({
      type: 'command',
      pass: true,
      reason: expect.stringMatching(/exited 0 in \d+ ms$/),
    });
  });

  it('runs in a workspace-relative cwd and refuses one outside', async () => {
    const [inside] = await command(['node', '-e', "require('fs').accessSync('index.ts')"], { cwd: 'src' });
    expect(inside?.pass).toBe(true);
    const [escaping] = await command(['node', '-e', '0'], { cwd: '..' });
    expect(escaping).toMatchObject({ pass: false, reason: "cwd '..' is outside the workspace; not run" });
  });

  it('fails on a non-zero exit, quoting the tail of stderr and stdout', async () => {
    const [result] = await command([
      'node',
      '-e',
      "console.log('out line'); console.error('3 tests failed'); process.exit(1)",
    ]);
    expect(result?.pass).toBe(false);
    expect(result?.reason).toMatch(
      /exited 1 after \d+ ms\n--- stderr ---\n3 tests failed\n--- stdout ---\nout line$/,
    );
  });

  it('keeps only the tail of a long output', async () => {
    const [result] = await command([
      'node',
      '-e',
      "process.stdout.write('x'.repeat(50000) + 'END'); process.exit(2)",
    ]);
    expect(result?.reason).toContain('--- stdout (last 2000 characters) ---');
    expect(result?.reason.endsWith('END')).toBe(true);
    expect(result?.reason.length).toBeLessThan(2200);
  });

  it('is stopped at its timeout, and fails saying so', async () => {
    // The program never ends by itself: the check returns only because its timeout stopped it.
    const [result] = await command(['node', '-e', FOREVER(join(workspace, 'pid'))], { timeoutMs: 300 });
    expect(result).toMatchObject({
      pass: false,
      reason: expect.stringContaining('timed out after 300 ms and was stopped'),
    });
  });

  it('ends what it left running in the background, without waiting for it', async () => {
    // The command starts a program that never ends by itself and exits once that program has written its
    // pid. Had the check waited for the program (it holds the output pipes open), it would have failed at
    // its timeout instead of passing.
    const pidFile = join(workspace, 'background.pid');
    const script = [
      "const fs = require('fs');",
      `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(FOREVER(pidFile))}], { stdio: 'inherit' });`,
      `const exitOnPid = () => (fs.existsSync(${JSON.stringify(pidFile)}) && fs.readFileSync(${JSON.stringify(pidFile)}, 'utf8') ? process.exit(0) : setTimeout(exitOnPid, 10));`,
      'exitOnPid();',
    ].join('\n');
    const [result] = await command(['node', '-e', script], { timeoutMs: 10_000 });
    expect(result).toMatchObject({ pass: true, reason: expect.stringContaining('exited 0') });
    const pid = await pidIn(pidFile);
    await until(() => !running(pid), { message: `the background process ${pid} to end` });
  });

  it('reports a program that does not exist', async () => {
    const [result] = await runChecks({
      output: '',
      checks: [spec({ type: 'command', argv: ['agentd-no-such-program'] })],
      workspace,
      allowedCommands: ['agentd-no-such-program'],
    });
    expect(result).toMatchObject({
      pass: false,
      reason: expect.stringContaining("'agentd-no-such-program' was not found"),
    });
  });

  it('is killed and the run throws when the signal aborts', async () => {
    const controller = new AbortController();
    const pidFile = join(workspace, 'pid');
    const outcome = runChecks({
      output: '',
      checks: [spec({ type: 'command', argv: ['node', '-e', FOREVER(pidFile)] })],
      workspace,
      allowedCommands: ['node'],
      signal: controller.signal,
    }).then(
      () => expect.fail('expected the run to throw'),
      (error: unknown) => error,
    );
    const pid = await pidIn(pidFile);
    controller.abort();
    expect(await outcome).toMatchObject({ name: 'AbortError' });
    await until(() => !running(pid), { message: `the aborted command (pid ${pid}) to end` });
  });

  it('runs every check, cheapest first, and reports them in the order given', async () => {
    // The command creates made.txt: the files check can only miss it if it ran before the command.
    const results = await runChecks({
      output: 'hello',
      checks: [
        spec({
          type: 'command',
          argv: ['node', '-e', "require('fs').writeFileSync('made.txt', ''); process.exit(1)"],
          name: 'tests',
        }),
        spec({ type: 'files', paths: ['made.txt'] }),
        spec({ type: 'contains', text: 'hello' }),
        spec({ type: 'json-schema', schema: { type: 'object' } }),
      ],
      workspace,
      allowedCommands: ['node'],
    });
    expect(results.map((r) => [r.type, r.name, r.pass])).toEqual([
      ['command', 'tests', false],
      ['files', 'files made.txt', false],
      ['contains', 'contains "hello"', true],
      ['json-schema', 'json-schema', false],
    ]);
    expect(checksPassed(results)).toBe(false);
    expect(checkIssues(results).map((issue) => [issue.severity, issue.criterion])).toEqual([
      ['critical', 'check:tests'],
      ['critical', 'check:files made.txt'],
      ['critical', 'check:json-schema'],
    ]);
    expect(checksPassed([])).toBe(true);
  });
});
