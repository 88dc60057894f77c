import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckSpecSchema } from './check-spec.js';
import type { CheckResult, CheckSpecInput } from './check-spec.js';
import { checkIssues, checksPassed, runChecks } from './checks.js';

const spec = (input: CheckSpecInput) => CheckSpecSchema.parse(input);

/** The single result of running one check on `output`. */
async function one(input: CheckSpecInput, output: string, workspace?: string): Promise<CheckResult> {
  const [result] = await runChecks({ output, checks: [spec(input)], ...(workspace ? { workspace } : {}) });
  if (result === undefined) throw new Error('no result');
  return result;
}

describe('output checks', () => {
  const schema = {
    type: 'object',
    required: ['title', 'tags'],
    properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
  };

  it('json-schema passes bare JSON and JSON in a ```json fence after a preamble', async () => {
    const json = '{"title":"t","tags":["a"]}';
    expect(await one({ type: 'json-schema', schema }, json)).toMatchObject({
      pass: true,
      type: 'json-schema',
    });
    expect(
      await one({ type: 'json-schema', schema }, `Here it is:\n\`\`\`json\n${json}\n\`\`\`\n`),
    ).toMatchObject({
      pass: true,
    });
  });

  it('json-schema fails on text that is not JSON, and names each schema violation', async () => {
    expect(await one({ type: 'json-schema', schema }, 'no json here')).toMatchObject({
      pass: false,
      reason: expect.stringMatching(/^output is not JSON/),
    });
    const result = await one({ type: 'json-schema', schema }, '{"title": 3, "tags": ["a", 1]}');
    expect(result.pass).toBe(false);
    expect(result.reason).toContain('/title must be string');
    expect(result.reason).toContain('/tags/1 must be string');
  });

  it('json-schema honours a 2020-12 $schema', async () => {
    const strict = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'number' }],
      items: false,
    };
    expect((await one({ type: 'json-schema', schema: strict }, '[1]')).pass).toBe(true);
    expect((await one({ type: 'json-schema', schema: strict }, '[1, 2]')).pass).toBe(false);
  });

  it('regex must match, or with match: false must not, honouring flags', async () => {
    expect(await one({ type: 'regex', pattern: '^# ', flags: 'm' }, 'intro\n# Title')).toMatchObject({
      pass: true,
    });
    expect(await one({ type: 'regex', pattern: '^# ' }, 'intro\n# Title')).toMatchObject({ pass: false });
    expect(await one({ type: 'regex', pattern: 'todo', flags: 'i', match: false }, 'done')).toMatchObject({
      pass: true,
    });
    expect(
      await one({ type: 'regex', pattern: 'todo', flags: 'i', match: false }, 'a TODO left'),
    ).toMatchObject({
      pass: false,
      reason: 'the output must not match /todo/i but contains "TODO"',
    });
  });

  it('regex with the g flag gives the same answer every run', async () => {
    const check = spec({ type: 'regex', pattern: 'x', flags: 'g' });
    const results = await runChecks({ output: 'x', checks: [check, check, check] });
    expect(results.map((r) => r.pass)).toEqual([true, true, true]);
  });

  it('contains and excludes are case-sensitive unless told otherwise', async () => {
    expect((await one({ type: 'contains', text: 'Canberra' }, 'It is Canberra.')).pass).toBe(true);
    expect((await one({ type: 'contains', text: 'canberra' }, 'It is Canberra.')).pass).toBe(false);
    expect(
      (await one({ type: 'contains', text: 'canberra', caseSensitive: false }, 'It is Canberra.')).pass,
    ).toBe(true);
    expect((await one({ type: 'excludes', text: 'Sydney' }, 'It is Canberra.')).pass).toBe(true);
    expect(
      await one({ type: 'excludes', text: 'sydney', caseSensitive: false }, 'Not Sydney.'),
    ).toMatchObject({
      pass: false,
      reason: 'the output must not contain "sydney" (ignoring case), found at character 4',
    });
  });

  it('length counts trimmed characters (code points) or words against min and max', async () => {
    expect((await one({ type: 'length', min: 3, max: 3 }, '  a😀b \n')).pass).toBe(true);
    expect(await one({ type: 'length', max: 2, unit: 'words' }, 'one two three')).toMatchObject({
      pass: false,
      reason: 'the output has 3 words, more than the maximum 2',
    });
    expect(await one({ type: 'length', min: 10 }, 'short')).toMatchObject({
      pass: false,
      reason: 'the output has 5 characters, fewer than the minimum 10',
    });
    expect(() => spec({ type: 'length' })).toThrow();
    expect(() => spec({ type: 'length', min: 5, max: 1 })).toThrow();
  });
});

describe('workspace checks', () => {
  let workspace: string;
  let outside: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'agentd-checks-'));
    outside = mkdtempSync(join(tmpdir(), 'agentd-outside-'));
    mkdirSync(join(workspace, 'src'));
    writeFileSync(join(workspace, 'src', 'index.ts'), 'export {};\n');
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    symlinkSync(outside, join(workspace, 'link'));
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('files passes when every path exists and names the missing ones otherwise', async () => {
    expect(await one({ type: 'files', paths: ['src/index.ts', 'src'] }, '', workspace)).toMatchObject({
      pass: true,
    });
    expect(
      await one({ type: 'files', paths: ['src/index.ts', 'README.md', 'docs/a.md'] }, '', workspace),
    ).toMatchObject({
      pass: false,
      reason: 'expected paths in the workspace: missing: README.md, docs/a.md',
    });
  });

  it('files refuses paths outside the workspace, through .., absolute or a symlink, without looking', async () => {
    const result = await one(
      { type: 'files', paths: ['../x', join(outside, 'secret.txt'), 'link/secret.txt'] },
      '',
      workspace,
    );
    expect(result.pass).toBe(false);
    expect(result.reason).toBe(
      `expected paths in the workspace: outside the workspace, not looked at: ../x, ${join(outside, 'secret.txt')}, link/secret.txt`,
    );
  });

  it('files and command fail without a workspace', async () => {
    expect((await one({ type: 'files', paths: ['a'] }, '')).reason).toBe(
      'the task has no workspace to look for files in',
    );
    const [result] = await runChecks({
      output: '',
      checks: [spec({ type: 'command', argv: ['node', '-e', '0'] })],
      allowedCommands: ['node'],
    });
    expect(result).toMatchObject({ pass: false, reason: 'the task has no workspace to run `node -e 0` in' });
  });

  const command = (argv: string[], extra: { timeoutMs?: number; cwd?: string } = {}) =>
    runChecks({
      output: '',
      checks: [spec({ type: 'command', argv, ...extra })],
      workspace,
      allowedCommands: ['node'],
    });

  it('command passes on exit 0, run in the workspace', async () => {
    const [result] = await command(['node', '-e', "require('fs').accessSync('src/index.ts')"]);
    expect(result).toMatchObject({
      type: 'command',
      pass: true,
      reason: expect.stringMatching(/exited 0 in \d+ ms$/),
    });
  });

  it('command runs in a workspace-relative cwd and refuses one outside', async () => {
    const [inside] = await command(['node', '-e', "require('fs').accessSync('index.ts')"], { cwd: 'src' });
    expect(inside?.pass).toBe(true);
    const [escaping] = await command(['node', '-e', '0'], { cwd: '..' });
    expect(escaping).toMatchObject({ pass: false, reason: "cwd '..' is outside the workspace; not run" });
  });

  it('command fails on a non-zero exit, quoting the tail of stderr and stdout', async () => {
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

  it('command keeps only the tail of a long output', async () => {
    const [result] = await command([
      'node',
      '-e',
      "process.stdout.write('x'.repeat(50000) + 'END'); process.exit(2)",
    ]);
    expect(result?.reason).toContain('--- stdout (last 2000 characters) ---');
    expect(result?.reason.endsWith('END')).toBe(true);
    expect(result?.reason.length).toBeLessThan(2200);
  });

  it('command is stopped at its timeout, and fails saying so', async () => {
    const started = Date.now();
    const [result] = await command(['node', '-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({
      pass: false,
      reason: expect.stringContaining('timed out after 300 ms and was stopped'),
    });
  });

  it('command ends what it left running in the background, without waiting for it', async () => {
    // The background process would write alive.txt after a second; killed with the command, it never does.
    const background = "setTimeout(() => require('fs').writeFileSync('alive.txt', ''), 1000)";
    const script =
      `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(background)}], ` +
      "{ stdio: 'inherit' }); setTimeout(() => process.exit(0), 100)";
    const [result] = await command(['node', '-e', script]);
    expect(result?.pass).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(workspace, 'alive.txt'))).toBe(false);
  });

  it('command refuses a program that is not allowed, without running it', async () => {
    const marker = join(workspace, 'ran.txt');
    const [result] = await runChecks({
      output: '',
      checks: [spec({ type: 'command', argv: ['touch', marker] })],
      workspace,
      allowedCommands: ['node', 'npm test'],
    });
    expect(result).toMatchObject({
      pass: false,
      reason: `\`touch ${marker}\` is not an allowed command (allowed: node, npm test); not run`,
    });
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it('command allows an argv prefix only: `npm test` does not allow `npm install`, `node` not `./node`', async () => {
    const { commandAllowed } = await import('./command-check.js');
    expect(commandAllowed(['npm', 'test', '--', '-t', 'x'], ['npm test'])).toBe(true);
    expect(commandAllowed(['npm', 'install'], ['npm test'])).toBe(false);
    expect(commandAllowed(['npm'], ['npm test'])).toBe(false);
    expect(commandAllowed(['./node', '-e', '0'], ['node'])).toBe(false);
    expect(commandAllowed(['node'], [' ', ''])).toBe(false);
  });

  it('command reports a program that does not exist', async () => {
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

  it('command is killed and the run throws when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(
      runChecks({
        output: '',
        checks: [spec({ type: 'command', argv: ['node', '-e', 'setTimeout(() => {}, 10000)'] })],
        workspace,
        allowedCommands: ['node'],
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5000);
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
