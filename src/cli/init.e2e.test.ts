import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureFreshBundle } from '../testing/fresh-bundle.js';

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

let sandbox: string;

/** Runs the built CLI as a user would, with no agentd settings and one (fake) provider key. */
function agentd(args: string[], cwd = sandbox): Promise<Finished> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/_API_KEY$/.test(name) && !name.startsWith('AGENTD_')) env[name] = value;
  }
  env['AGENTD_HOME'] = join(sandbox, 'home');
  env['ANTHROPIC_API_KEY'] = 'sk-ant-not-a-real-key';
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('agentd init (built CLI)', () => {
  beforeAll(async () => {
    sandbox = mkdtempSync(join(tmpdir(), 'agentd-init-e2e-'));
    await ensureFreshBundle();
  }, 120_000);
  afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

  it('writes the project from the installed examples, refuses to overwrite, and its teams run', async () => {
    const first = await agentd(['init', 'project', '--no-detect']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(join(sandbox, 'project', 'teams', 'hierarchical.yaml'));
    expect(first.stdout).toMatch(/next:\n {2}cd project\n {2}agentd doctor\n {2}agentd run --team/);
    const config = readFileSync(join(sandbox, 'project', 'agentd.yaml'), 'utf8');
    expect(config).toContain('apiKey: env:ANTHROPIC_API_KEY');
    expect(config).not.toContain('sk-ant-not-a-real-key');

    const again = await agentd(['init', 'project', '--no-detect']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${join(sandbox, 'project', 'agentd.yaml')} already exists`);
    expect(again.stderr).toContain('--force');

    const project = join(sandbox, 'project');
    const check = await agentd(['config', 'check'], project);
    expect(check.code).toBe(0);
    const run = await agentd(
      ['run', '--model', 'simulated/dry-run', '--team', 'teams/sequential.yaml', 'Announce new hours'],
      project,
    );
    expect(run.stderr).toContain('succeeded');
    expect(run.code).toBe(0);
  }, 120_000);

  it('prints a completion script naming init', async () => {
    const bash = await agentd(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toMatch(/^ {4}''\) candidates='[^']*\binit\b/m);
    const bad = await agentd(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown shell 'tcsh'");
  }, 60_000);

  /** The shells installed here (bash always is on CI; zsh and fish may not be). */
  const shells = ['bash', 'zsh', 'fish'].filter((shell) => spawnSync(shell, ['-c', 'exit 0']).status === 0);

  it.each(shells)(
    'prints a %s script the shell parses',
    async (shell) => {
      const script = await agentd(['completion', shell]);
      expect(script.code).toBe(0);
      const file = join(sandbox, `completion.${shell}`);
      writeFileSync(file, script.stdout);
      const parsed = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(parsed.stderr).toBe('');
      expect(parsed.status).toBe(0);
    },
    60_000,
  );
});
