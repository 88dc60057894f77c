import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckSpecSchema } from './check-spec.js';
import type { CheckResult, CheckSpecInput } from './check-spec.js';
import { runChecks } from './checks.js';

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

  it('runs a catastrophic-backtracking pattern in linear time (no ReDoS)', async () => {
    // On a backtracking engine this takes ~2^n steps: 29 characters stalled the server for 7 s.
    const output = 'a'.repeat(100_000);
    expect(await one({ type: 'regex', pattern: '(a|a)*Q' }, output)).toMatchObject({ pass: false });
    expect(await one({ type: 'regex', pattern: '(a+)+$', match: false }, `${output}!`)).toMatchObject({
      pass: true,
    });
  });

  it('refuses a pattern whose program is huge, and fails a check whose output is too long for its size', async () => {
    // Linear is not enough: `(?s)(.+){1000}` is ~4,000 instructions, and 200k characters took 12 s.
    expect(() => spec({ type: 'regex', pattern: '(?s)(.+){1000}' })).toThrow(/too large/);
    const finding = await one({ type: 'regex', pattern: '(?s)(.+){400}' }, 'a'.repeat(200_000));
    expect(finding.pass).toBe(false);
    expect(finding.reason).toMatch(
      /could not be checked: the pattern \(\d+ instructions\) may scan at most \d+ characters; the text has 200000/,
    );
    // The same pattern on a short output is simply run.
    expect(await one({ type: 'regex', pattern: '(?s)(.+){400}' }, 'a'.repeat(500))).toMatchObject({
      pass: true,
    });
  });

  it('runs a JSON Schema pattern in linear time too', async () => {
    // ajv's default RegExp would take ~2^40 steps here.
    const schema = { type: 'string', pattern: '^(a+)+$' };
    const finding = await one({ type: 'json-schema', schema }, `"${'a'.repeat(40)}!"`);
    expect(finding).toMatchObject({ pass: false });
    expect(await one({ type: 'json-schema', schema }, `"${'a'.repeat(40)}"`)).toMatchObject({ pass: true });
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

// Commands that actually run (a child process each) are checked in command-check.e2e.test.ts.
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
});
