import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureFreshBundle, ROOT } from '../testing/fresh-bundle.js';

const run = promisify(execFile);

/** stdout of `node <args>` with stdout a pipe (help is wrapped at 80 columns either way). */
async function stdoutOf(args: string[]): Promise<string> {
  return (await run(process.execPath, args, { cwd: ROOT })).stdout;
}

describe('bin/agentd.js --help from dist/help.json', () => {
  beforeAll(async () => {
    await ensureFreshBundle();
  }, 120_000);

  it('holds a text for the program and every command', () => {
    const texts = JSON.parse(readFileSync(join(ROOT, 'dist', 'help.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(texts)).toEqual(
      expect.arrayContaining(['', 'run', 'tasks', 'tasks list', 'init', 'completion']),
    );
    expect(texts['']).toMatch(/^Usage: agentd /);
  });

  it.each([[[]], [['run']], [['tasks', 'list']], [['init']]])(
    'prints exactly what the CLI prints for %j --help',
    async (path) => {
      const fast = await stdoutOf([BIN, ...path, '--help']);
      const full = await stdoutOf([
        '--import',
        'tsx',
        join(ROOT, 'src', 'cli', 'run-main.ts'),
        ...path,
        '--help',
      ]);
      expect(fast).toBe(full);
      expect(fast).toContain('Usage: agentd');
    },
    60_000,
  );

  it('leaves help it has no text for to the bundle', async () => {
    const out = await stdoutOf([BIN, 'run', '--json', '--help']);
    expect(out).toContain('Usage: agentd run');
  }, 60_000);
});
